"""Small-count suppression (DESIGN §3): counts of people from 1 to threshold-1 hidden, supply
counts exact, and no hidden count recoverable from a total by subtraction."""

import csv
import io
import random

import pytest

from outreach.exports.service import shown
from outreach.exports.suppression import suppress
from tests.exports.recovery import recoverable
from tests.reports.expected import OCTOBER, SUPPLY
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES

M = "2025-10"


def cell(site, indicator, breakdown=""):
    return (M, site, indicator, breakdown)


def sites_table(indicator, values: dict, breakdown="") -> dict:
    """A site -> value table with its ALL total, as sums."""
    table = {cell(site, indicator, breakdown): value for site, value in values.items()}
    table[cell(ALL, indicator, breakdown)] = sum(values.values())
    return table


# -- Unit tests on small hand-made cells -----------------------------------------------------


@pytest.mark.parametrize("value", range(11))
def test_counts_of_people_from_1_to_9_are_hidden(value):
    cells = {cell(DCR, "people_contacted"): value}
    assert suppress(cells, 10) == ({cell(DCR, "people_contacted")} if 1 <= value <= 9 else set())


@pytest.mark.parametrize(("value", "hidden"), [(1, True), (4, True), (5, False), (6, False)])
def test_the_threshold_is_a_parameter(value, hidden):
    cells = {cell(DCR, "unique_clients"): value}
    assert bool(suppress(cells, 5)) is hidden


def test_supply_counts_are_never_hidden():
    cells = {
        **sites_table("items_distributed", {DCR: 3, OUT: 0, NSP: 40}),
        **sites_table("items_distributed", {DCR: 3, OUT: 0, NSP: 40}, "syringe_1ml"),
        **sites_table("syringes_distributed", {DCR: 3, OUT: 1, NSP: 40}),
        **sites_table("naloxone_kits_distributed", {DCR: 1, OUT: 2, NSP: 0}),
        **sites_table("syringes_returned", {DCR: 2, OUT: 0, NSP: 0}, "estimated"),
        **sites_table("sites_active", {DCR: 1, OUT: 1, NSP: 0}),
        cell(DCR, "return_rate"): 0.667,
        cell(OUT, "return_rate"): None,
    }
    assert suppress(cells, 10) == set()


def test_one_hidden_site_takes_the_smallest_other_non_zero_site_with_it():
    # DCR 3 is hidden; ALL 68 - 40 - 25 would give it away: NSP (25 < 40) goes too
    cells = sites_table("contacts", {DCR: 3, OUT: 40, NSP: 25})
    assert suppress(cells, 10) == {cell(DCR, "contacts"), cell(NSP, "contacts")}


def test_a_zero_is_never_hidden_as_the_second_cell():
    cells = sites_table("people_contacted", {DCR: 3, OUT: 0, NSP: 20})
    assert suppress(cells, 10) == {cell(DCR, "people_contacted"), cell(NSP, "people_contacted")}


def test_two_hidden_sites_need_nothing_more():
    cells = sites_table("incidents", {DCR: 3, OUT: 4, NSP: 30})
    assert suppress(cells, 10) == {cell(DCR, "incidents"), cell(OUT, "incidents")}


def test_the_total_goes_when_no_other_site_has_anything():
    """DCR: dcr_visit 4 (hidden) and drop_in 30; the kinds add up to DCR's 34, so drop_in goes
    too. drop_in 30 is then the only non-zero site of its row: its ALL (30) goes with it."""
    cells = {
        **sites_table("contacts", {DCR: 34, OUT: 0, NSP: 0}),
        **sites_table("contacts", {DCR: 4, OUT: 0, NSP: 0}, "dcr_visit"),
        **sites_table("contacts", {DCR: 30, OUT: 0, NSP: 0}, "drop_in"),
    }
    hidden = suppress(cells, 10)
    assert hidden == {
        cell(DCR, "contacts", "dcr_visit"),
        cell(ALL, "contacts", "dcr_visit"),
        cell(DCR, "contacts", "drop_in"),
        cell(ALL, "contacts", "drop_in"),
    }
    assert recoverable(cells, hidden) == set()


@pytest.mark.parametrize(
    ("total", "part", "values", "expected"),
    [
        # gender: f 3 hidden; 40 - 25 - 12 would give it: unknown (12 < 25) goes too
        (
            "contacts",
            "contacts_by_gender",
            {"f": 3, "m": 25, "x": 0, "unknown": 12},
            {"f", "unknown"},
        ),
        # age groups of contacts
        (
            "contacts",
            "contacts_by_age_group",
            {"under_25": 2, "35_44": 30, "unknown": 18},
            {"under_25", "unknown"},
        ),
        # kinds: two small ones hide each other
        ("contacts", "contacts", {"dcr_visit": 38, "drop_in": 7, "phone": 5}, {"drop_in", "phone"}),
        # unique clients by gender and by age group
        ("unique_clients", "unique_clients_by_gender", {"f": 11, "m": 1}, {"f", "m"}),
        (
            "unique_clients",
            "unique_clients_by_age_group",
            {"under_25": 1, "25_34": 21},
            {"under_25", "25_34"},
        ),
        # DCR visits by route
        ("dcr_visits", "dcr_visits", {"inject": 15, "smoke": 5}, {"inject", "smoke"}),
        # incidents by kind and by outcome
        (
            "incidents",
            "incidents",
            {"opioid_overdose": 20, "other_medical": 1},
            {"opioid_overdose", "other_medical"},
        ),
        (
            "incidents",
            "incidents_by_outcome",
            {"death": 2, "hospital": 11, "recovered_on_site": 12},
            {"death", "hospital"},
        ),
        # referrals by type, made and attended
        (
            "referrals_made",
            "referrals_made",
            {"hcv_test": 4, "ost": 14, "housing": 12},
            {"hcv_test", "housing"},
        ),
        (
            "referrals_attended",
            "referrals_attended",
            {"ost": 10, "gp": 9, "housing": 0},
            {"gp", "ost"},
        ),
    ],
)
def test_a_hidden_part_of_a_breakdown_takes_a_second_part_with_it(total, part, values, expected):
    cells = {cell(DCR, part, code): value for code, value in values.items()}
    cells[cell(DCR, total)] = sum(values.values())
    hidden = suppress(cells, 10)
    assert hidden == {cell(DCR, part, code) for code in expected}
    assert recoverable(cells, hidden) == set()


def test_target_groups_overlap_and_are_no_partition():
    """One contact can have several flags: contacts minus the flags gives nothing away."""
    cells = {
        cell(DCR, "contacts"): 20,
        cell(DCR, "contacts_by_flag", "injects"): 3,
        cell(DCR, "contacts_by_flag", "smokes"): 17,
    }
    assert suppress(cells, 10) == {cell(DCR, "contacts_by_flag", "injects")}


def test_a_total_hidden_as_the_second_cell_is_not_given_away_by_its_own_parts():
    """OUT's 3 street contacts are hidden, so is DCR's total (12) as the second cell of the
    sites. DCR's kinds (dcr_visit 12) would add up to it, and ALL 15 - 12 = 3: the kind goes
    too, and its ALL, as no other site has any."""
    cells = {
        **sites_table("contacts", {DCR: 12, OUT: 3, NSP: 0}),
        **sites_table("contacts", {DCR: 12, OUT: 0, NSP: 0}, "dcr_visit"),
        **sites_table("contacts", {DCR: 0, OUT: 3, NSP: 0}, "street_outreach"),
    }
    hidden = suppress(cells, 10)
    assert hidden == {
        cell(OUT, "contacts"),
        cell(OUT, "contacts", "street_outreach"),
        cell(ALL, "contacts", "street_outreach"),
        cell(DCR, "contacts"),
        cell(DCR, "contacts", "dcr_visit"),
        cell(ALL, "contacts", "dcr_visit"),
    }
    assert recoverable(cells, hidden) == set()


def test_dcr_visits_and_contacts_of_that_kind_hide_each_other():
    """DCR visits are the contacts of kind dcr_visit counted again: hiding one of them (here as
    the second cell of DCR's kinds) hides the other, or ALL 15 - 12 would give OUT's 3 away."""
    cells = {
        **sites_table("contacts", {DCR: 12, OUT: 3, NSP: 0}),
        **sites_table("contacts", {DCR: 12, OUT: 0, NSP: 0}, "dcr_visit"),
        **sites_table("contacts", {DCR: 0, OUT: 3, NSP: 0}, "street_outreach"),
        **sites_table("dcr_visits", {DCR: 12, OUT: 0, NSP: 0}),
        **sites_table("dcr_visits", {DCR: 12, OUT: 0, NSP: 0}, "inject"),
    }
    hidden = suppress(cells, 10)
    assert hidden == {
        cell(OUT, "contacts"),
        cell(OUT, "contacts", "street_outreach"),
        cell(ALL, "contacts", "street_outreach"),
        cell(DCR, "contacts"),
        cell(DCR, "contacts", "dcr_visit"),
        cell(ALL, "contacts", "dcr_visit"),
        cell(DCR, "dcr_visits"),
        cell(ALL, "dcr_visits"),
        cell(DCR, "dcr_visits", "inject"),
        cell(ALL, "dcr_visits", "inject"),
    }
    assert recoverable(cells, hidden) == set()


def test_new_clients_add_up_over_sites():
    """Each new client's first contact ever is at one site: ALL 15 - DCR 12 would give OUT."""
    cells = sites_table("new_clients", {DCR: 12, OUT: 3, NSP: 0})
    assert suppress(cells, 10) == {cell(DCR, "new_clients"), cell(OUT, "new_clients")}


def test_shown_marks_hidden_cells_and_leaves_no_value_empty():
    cells = {
        **sites_table("contacts", {DCR: 3, OUT: 40, NSP: 25}),
        cell(DCR, "return_rate"): None,
        cell(OUT, "return_rate"): 0.5,
    }
    assert shown(cells, 10) == {
        cell(DCR, "contacts"): "<10",
        cell(OUT, "contacts"): 40,
        cell(NSP, "contacts"): "<10",
        cell(ALL, "contacts"): 68,
        cell(DCR, "return_rate"): "",
        cell(OUT, "return_rate"): 0.5,
    }
    assert shown(cells, None)[cell(DCR, "contacts")] == 3


def test_the_checker_finds_what_subtraction_gives_away():
    """The checker itself: one hidden site of a row, and a chain through a breakdown."""
    cells = sites_table("contacts", {DCR: 3, OUT: 40, NSP: 25})
    assert recoverable(cells, {cell(DCR, "contacts")}) == {cell(DCR, "contacts")}
    cells = {
        **sites_table("contacts", {DCR: 12, OUT: 3, NSP: 0}),
        **sites_table("contacts", {DCR: 12, OUT: 0, NSP: 0}, "dcr_visit"),
        **sites_table("contacts", {DCR: 0, OUT: 3, NSP: 0}, "street_outreach"),
    }
    hidden = {cell(OUT, "contacts"), cell(DCR, "contacts")}  # DCR's kinds give DCR, then OUT
    assert recoverable(cells, hidden) == hidden


# -- Property: on random months, nothing hidden can be worked out ----------------------------

SMALL_AND_LARGE = (0, 0, 0, 1, 2, 3, 5, 9, 10, 11, 14, 25, 60)


def split(rng, total: int, codes) -> dict:
    """`total` spread over `codes` at random."""
    cuts = sorted(rng.randint(0, total) for _ in range(len(codes) - 1))
    bounds = [0, *cuts, total]
    return {code: bounds[i + 1] - bounds[i] for i, code in enumerate(codes)}


def random_month(rng) -> dict:
    """Cells shaped like month_cells: every breakdown at every site and ALL, zero-filled, with
    the sums that hold in real data."""
    sites = list(SITES[: rng.randint(1, 3)])
    per_site = {}
    for site in sites:
        kinds = {
            code: rng.choice(SMALL_AND_LARGE) for code in ("dcr_visit", "street_outreach", "phone")
        }
        contacts = sum(kinds.values())
        unique = rng.randint(0, contacts)
        incidents = {code: rng.choice(SMALL_AND_LARGE) for code in ("opioid_overdose", "other")}
        made = {code: rng.choice(SMALL_AND_LARGE) for code in ("hcv_test", "ost", "gp")}
        routes = split(rng, kinds["dcr_visit"], ("inject", "smoke", "unknown"))
        per_site[site] = {
            ("contacts", ""): contacts,
            **{("contacts", code): value for code, value in kinds.items()},
            **{
                ("contacts_by_gender", code): value
                for code, value in split(rng, contacts, ("f", "m", "x", "unknown")).items()
            },
            **{
                ("contacts_by_age_group", code): value
                for code, value in split(rng, contacts, ("under_25", "35_44", "unknown")).items()
            },
            ("contacts_by_flag", "injects"): rng.randint(0, contacts),
            ("people_contacted", ""): contacts + rng.choice((0, 0, 2, 7)),
            ("anonymous_contacts", ""): contacts - unique,
            ("unique_clients", ""): unique,
            **{
                ("unique_clients_by_gender", code): value
                for code, value in split(rng, unique, ("f", "m", "unknown")).items()
            },
            ("new_clients", ""): rng.randint(0, unique),
            ("dcr_visits", ""): kinds["dcr_visit"],
            **{("dcr_visits", code): value for code, value in routes.items()},
            ("incidents", ""): sum(incidents.values()),
            **{("incidents", code): value for code, value in incidents.items()},
            **{
                ("incidents_by_outcome", code): value
                for code, value in split(
                    rng, sum(incidents.values()), ("hospital", "death", "unknown")
                ).items()
            },
            ("referrals_made", ""): sum(made.values()),
            **{("referrals_made", code): value for code, value in made.items()},
            ("items_distributed", ""): rng.choice(SMALL_AND_LARGE),
            ("syringes_distributed", ""): rng.choice(SMALL_AND_LARGE),
        }
    cells = {}
    for site, values in per_site.items():
        for (indicator, breakdown), value in values.items():
            cells[(M, site, indicator, breakdown)] = value
    for indicator, breakdown in per_site[sites[0]]:
        site_values = [per_site[site][(indicator, breakdown)] for site in sites]
        if indicator == "unique_clients" or indicator == "unique_clients_by_gender":
            continue  # distinct people: filled in below
        cells[(M, ALL, indicator, breakdown)] = sum(site_values)
    # Distinct clients over all sites: some are seen at more than one site.
    unique_all = max(per_site[site][("unique_clients", "")] for site in sites)
    cells[(M, ALL, "unique_clients", "")] = unique_all
    for code, value in split(rng, unique_all, ("f", "m", "unknown")).items():
        cells[(M, ALL, "unique_clients_by_gender", code)] = value
    return cells


@pytest.mark.parametrize("threshold", [10, 5])
def test_no_hidden_count_can_be_worked_out_on_random_months(threshold):
    rng = random.Random(20251031 + threshold)
    for case in range(150):
        cells = random_month(rng)
        hidden = suppress(cells, threshold)
        assert recoverable(cells, hidden) == set(), (case, cells, hidden)
        for key, value in cells.items():
            if key[2] in SUPPLY or value == 0:
                assert key not in hidden, (case, key)
            elif value < threshold:
                assert key in hidden, (case, key)


# -- Through the CSV export ------------------------------------------------------------------


def csv_cells(response) -> tuple[dict, set]:
    """The CSV as {(month, site, indicator, breakdown): value} and the set of suppressed keys."""
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["month", "site", "indicator", "breakdown", "value"]
    cells = {tuple(row[:4]): row[4] for row in rows[1:]}
    assert len(cells) == len(rows) - 1
    return cells, {key for key, value in cells.items() if value.startswith("<")}


def number(text: str):
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def export(api, months, suppressed, **query):
    first, last = months
    flag = {} if suppressed is None else {"suppress": str(suppressed).lower()}
    return api.get(
        "/api/v1/exports/monthly.csv", query_string={"from": first, "to": last, **flag, **query}
    )


def test_csv_hides_every_small_count_of_people_in_october(dataset, supervisor):
    plain, _ = csv_cells(export(supervisor, ("2025-10", "2025-10"), False))
    published, hidden = csv_cells(export(supervisor, ("2025-10", "2025-10"), True))
    assert published.keys() == plain.keys()
    # In October every non-zero count of people is below 10 but ALL's people_contacted (11),
    # whose three sites (3, 5, 3) are all hidden: nothing more needs to go.
    expected_hidden = {
        ("2025-10", *key)
        for key, value in OCTOBER.items()
        if key[1] not in SUPPLY and 1 <= value <= 9
    }
    assert hidden == expected_hidden
    assert all(published[key] == "<10" for key in hidden)
    assert published[("2025-10", ALL, "people_contacted", "")] == "11"
    for key in plain.keys() - hidden:
        assert published[key] == plain[key], key
    # Supply counts stay exact.
    assert published[("2025-10", ALL, "syringes_distributed", "")] == "100"
    assert published[("2025-10", OUT, "items_distributed", "naloxone_kit")] == "2"
    assert published[("2025-10", NSP, "syringes_returned", "estimated")] == "12"
    assert published[("2025-10", ALL, "sites_active", "")] == "3"
    values = {key: number(value) for key, value in plain.items()}
    assert recoverable(values, hidden) == set()


def test_csv_is_suppressed_unless_asked_otherwise(dataset, supervisor):
    published, hidden = csv_cells(export(supervisor, ("2025-10", "2025-10"), None))
    assert published[("2025-10", DCR, "contacts", "")] == "<10"
    assert len(hidden) > 100


def test_threshold_comes_from_the_configuration(app, dataset, supervisor):
    app.config["OUTREACH_SUPPRESSION_THRESHOLD"] = 5
    plain, _ = csv_cells(export(supervisor, ("2025-10", "2025-10"), False))
    published, hidden = csv_cells(export(supervisor, ("2025-10", "2025-10"), True))
    assert all(published[key] == "<5" for key in hidden)
    assert published[("2025-10", DCR, "contacts", "")] == "<5"  # 3
    # ALL 9 stays: DCR, OUT and NSP (3 each) are all hidden
    assert published[("2025-10", ALL, "contacts", "")] == "9"
    # OUT 5 stays: DCR 3 and NSP 3 of the same row are both hidden
    assert published[("2025-10", OUT, "people_contacted", "")] == "5"
    assert published[("2025-10", ALL, "new_clients", "")] == "5"
    values = {key: number(value) for key, value in plain.items()}
    assert recoverable(values, hidden) == set()
    for key, value in values.items():
        if key[2] not in SUPPLY and value and value < 5:
            assert key in hidden, key


def test_csv_hides_second_cells_in_august(app, make_user, build, supervisor):
    """August 2025: 12 anonymous DCR visits (inject) and 3 anonymous street contacts."""
    make_user("worker", SITES, username="august-worker")
    with build() as b:
        worker = b.user("august-worker")
        for day in range(1, 13):
            b.contact(f"2025-08-{day:02d}T12:00", DCR, "dcr_visit", by=worker, route="inject")
        for day in range(1, 4):
            b.contact(f"2025-08-{day:02d}T15:00", OUT, "street_outreach", by=worker)
    plain, _ = csv_cells(export(supervisor, ("2025-08", "2025-08"), False))
    published, hidden = csv_cells(export(supervisor, ("2025-08", "2025-08"), True))
    a = "2025-08"
    assert hidden == {
        # OUT's 3, in every table they appear in
        (a, OUT, "contacts", ""),
        (a, OUT, "contacts", "street_outreach"),
        (a, ALL, "contacts", "street_outreach"),
        (a, OUT, "people_contacted", ""),
        (a, OUT, "anonymous_contacts", ""),
        (a, OUT, "contacts_by_gender", "unknown"),
        (a, OUT, "contacts_by_age_group", "unknown"),
        # ALL 15 - DCR 12 would give OUT 3: DCR's 12 go as the second cells
        (a, DCR, "contacts", ""),
        (a, DCR, "people_contacted", ""),
        (a, DCR, "anonymous_contacts", ""),
        (a, DCR, "contacts_by_gender", "unknown"),
        (a, DCR, "contacts_by_age_group", "unknown"),
        # DCR's kinds add up to DCR's hidden 12, and ALL's kinds to 15: dcr_visit goes too
        (a, DCR, "contacts", "dcr_visit"),
        (a, ALL, "contacts", "dcr_visit"),
        # and so do the DCR visits, the same 12 counted again, and their one route
        (a, DCR, "dcr_visits", ""),
        (a, ALL, "dcr_visits", ""),
        (a, DCR, "dcr_visits", "inject"),
        (a, ALL, "dcr_visits", "inject"),
    }
    assert published[(a, ALL, "contacts", "")] == "15"
    assert published[(a, ALL, "people_contacted", "")] == "15"
    assert published[(a, DCR, "syringes_distributed", "")] == "0"
    values = {key: number(value) for key, value in plain.items()}
    assert recoverable(values, hidden) == set()
