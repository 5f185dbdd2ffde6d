"""The annual exports (`/api/v1/exports/annual.csv` and `.xlsx`): the year's figures of
`annual_report`, in the monthly export's tidy shape with `year` first, suppressed exactly as the
monthly export, and every one written to the audit log."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.exports.service import shown
from outreach.exports.suppression import suppress
from outreach.extensions import db
from outreach.reports.annual import annual_report
from tests.exports.recovery import recoverable
from tests.exports.test_api import (
    BREAKDOWN_ONLY,
    csv_cells,
    export_events,
    xlsx_cells,
    xlsx_workbook,
)
from tests.reports.expected import EXPECTED, INDICATOR_NAMES, SUPPLY
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES

ANNUAL_CSV = "/api/v1/exports/annual.csv"
ANNUAL_XLSX = "/api/v1/exports/annual.xlsx"


def annual_csv(api, **query):
    response = api.get(ANNUAL_CSV, query_string=query)
    assert response.get_data(as_text=True).startswith("year,site,indicator,breakdown,value\n")
    return csv_cells(response, first="year")


def test_the_annual_csv_is_tidy_with_the_year_first(dataset, supervisor):
    response = supervisor.get(ANNUAL_CSV, query_string={"year": 2025, "suppress": "false"})
    cells = csv_cells(response, first="year")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="outreach-2025-unsuppressed.csv"'
    )
    assert {key[0] for key in cells} == {"2025"}
    assert {key[1] for key in cells} == {*SITES, ALL}
    # Every indicator's total at every site and ALL, as in the monthly export.
    for indicator in set(INDICATOR_NAMES) - BREAKDOWN_ONLY:
        for site in (*SITES, ALL):
            assert ("2025", site, indicator, "") in cells, (site, indicator)
    # Sites by code, ALL last.
    assert next(iter(cells))[1] == DCR
    assert list(cells)[-1][1] == ALL
    # Suppressed by default: the name says so.
    suppressed = supervisor.get(ANNUAL_CSV, query_string={"year": 2025})
    assert suppressed.headers["Content-Disposition"] == 'attachment; filename="outreach-2025.csv"'


def test_the_annual_csv_holds_the_annual_reports_figures(app, dataset, supervisor):
    cells = annual_csv(supervisor, year=2025, suppress="false")
    with app.test_request_context():
        sites = list(db.session.scalars(select(Site).order_by(Site.code)))
        report = annual_report(2025, sites)
        values = dict(report.values)
    assert values, "the year has figures"
    for key, value in values.items():
        if key[2] == "return_rate":
            continue
        assert cells[key] == value, key
    for key, value in cells.items():
        if key[2] == "return_rate":
            assert value == values.get(key), key
        else:
            assert value == values.get(key, 0), key


def test_the_years_supply_figures_are_the_sums_of_its_months(dataset, supervisor):
    cells = annual_csv(supervisor, year=2025, suppress="false")
    for site in (*SITES, ALL):
        for indicator in ("syringes_distributed", "naloxone_kits_distributed", "contacts"):
            months = sum(month.get((site, indicator, ""), 0) for month in EXPECTED.values())
            assert cells[("2025", site, indicator, "")] == months, (site, indicator)
    # ANNA (Sep, Oct, Nov) and BERT (Sep voided, Oct, Nov) count once each in the year.
    monthly = sum(month.get((ALL, "unique_clients", ""), 0) for month in EXPECTED.values())
    assert cells[("2025", ALL, "unique_clients", "")] < monthly


def test_the_annual_xlsx_holds_the_csvs_figures(dataset, supervisor):
    query = {"year": 2025, "suppress": "true"}
    expected = annual_csv(supervisor, **query)
    response = supervisor.get(ANNUAL_XLSX, query_string=query)
    assert response.headers["Content-Disposition"] == 'attachment; filename="outreach-2025.xlsx"'
    workbook = xlsx_workbook(response)
    assert workbook.sheetnames == ["2025", "Definitions"]
    assert xlsx_cells(workbook, ["2025"]) == expected


def test_an_annual_export_of_a_year_without_records_is_zeros(dataset, supervisor):
    cells = annual_csv(supervisor, year=2019)
    assert cells[("2019", ALL, "contacts", "")] == 0
    assert cells[("2019", DCR, "return_rate", "")] is None


# -- Suppression, exactly as in the monthly export -------------------------------------------


def test_the_hand_worked_year_gives_no_hidden_count_away(app, dataset, supervisor):
    plain = annual_csv(supervisor, year=2025, suppress="false")
    published = annual_csv(supervisor, year=2025)
    hidden = {key for key, value in published.items() if value == "<10"}
    assert hidden
    small = {
        key
        for key, value in plain.items()
        if key[2] not in SUPPLY and isinstance(value, int) and 0 < value < 10
    }
    assert small <= hidden
    assert not [key for key in hidden if key[2] in SUPPLY]
    assert recoverable(plain, hidden) == set()
    # The published cells are the monthly export's suppression applied to the year's cells.
    assert hidden == suppress(plain, 10)


@pytest.fixture
def busy_street_team(app, make_user, build):
    """2024: the street team has 30 contacts, 2 or 3 a month; the DCR 3 in the whole year."""
    make_user("worker", SITES, username="year-worker")
    with build() as b:
        worker = b.user("year-worker")
        for number in range(30):
            b.contact(f"2024-{number % 12 + 1:02d}-10T12:00", OUT, "street_outreach", by=worker)
        for month in (2, 6, 11):
            b.contact(f"2024-{month:02d}-10T12:00", DCR, "drop_in", by=worker)


def test_a_small_annual_count_is_hidden_and_so_is_the_one_that_gives_it_away(
    busy_street_team, supervisor
):
    year = annual_csv(supervisor, year=2024)
    assert year[("2024", DCR, "contacts", "")] == "<10"  # 3
    # ALL 33 - OUT 30 would give DCR's 3 away: OUT goes too, the total stays.
    assert year[("2024", OUT, "contacts", "")] == "<10"
    assert year[("2024", ALL, "contacts", "")] == 33
    assert year[("2024", NSP, "contacts", "")] == 0
    # Each month alone is small everywhere; the year is the sum, not the suppressed months'.
    month = csv_cells(
        supervisor.get(
            "/api/v1/exports/monthly.csv", query_string={"from": "2024-02", "to": "2024-02"}
        )
    )
    assert month[("2024-02", ALL, "contacts", "")] == "<10"


def test_shown_marks_a_years_hidden_cells():
    cells = {("2024", DCR, "people_contacted", ""): 4, ("2024", DCR, "contacts", ""): 0}
    assert shown(cells, 10) == {
        ("2024", DCR, "people_contacted", ""): "<10",
        ("2024", DCR, "contacts", ""): 0,
    }


# -- Audit, arguments, access ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "target", "suppressed"),
    [
        (f"{ANNUAL_CSV}?year=2025", "annual.csv", "<10"),
        (f"{ANNUAL_CSV}?year=2025&suppress=false", "annual.csv", "no"),
        (f"{ANNUAL_XLSX}?year=2025", "annual.xlsx", "<10"),
        ("/reports/export?format=csv&year=2025", "annual.csv", "no"),
        ("/reports/export?format=xlsx&year=2025&suppress=true", "annual.xlsx", "<10"),
    ],
)
def test_every_annual_export_is_written_to_the_audit_log(
    app, dataset, supervisor, url, target, suppressed
):
    response = supervisor.get(url)
    assert response.status_code == 200
    response.get_data()
    [(_actor_id, actor_name, event_target, detail)] = export_events(app)
    assert (actor_name, event_target) == (supervisor.username, target)
    assert detail == f"2025 sites={','.join(SITES)} suppressed={suppressed}"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "year"),
        ({"year": "1899"}, "year"),
        ({"year": "2100"}, "year"),
        ({"year": "twenty"}, "year"),
        ({"year": "2025-10"}, "year"),
        ({"year": "2025", "suppress": "maybe"}, "suppress"),
        ({"year": "2025", "site": "x" * 41}, "site"),
    ],
)
@pytest.mark.parametrize("url", [ANNUAL_CSV, ANNUAL_XLSX])
def test_bad_arguments_answer_422_with_the_fields_message(dataset, supervisor, url, query, field):
    response = supervisor.get(url, query_string=query)
    assert response.status_code == 422
    assert response.get_json()["errors"][field]


def test_another_sites_year_is_forbidden(dataset, login_as):
    supervisor = login_as("supervisor", sites=[NSP])
    for url in (ANNUAL_CSV, ANNUAL_XLSX):
        response = supervisor.get(url, query_string={"year": 2025, "site": DCR})
        assert response.status_code == 403
    assert annual_csv(supervisor, year=2025).keys() >= {("2025", NSP, "contacts", "")}


def test_workers_and_strangers_get_no_annual_export(dataset, client, login_as):
    assert client.get(ANNUAL_CSV, query_string={"year": 2025}).status_code == 401
    worker = login_as("worker", sites=[DCR])
    assert worker.get(ANNUAL_CSV, query_string={"year": 2025}).status_code == 403
