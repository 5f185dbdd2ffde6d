"""The workbook for people: indicators and breakdowns named in the reader's language beside their
codes; a column per site for a few sites, a row per site for a national organisation (300 sites
here); definitions naming the EMCDDA figure each indicator feeds."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports.indicators import INDICATORS
from tests.exports.test_api import csv_cells, export_events, xlsx_cells, xlsx_workbook
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES
from tests.test_translations import compiled_dutch  # noqa: F401 (a fixture: Dutch, compiled)

DUTCH = {"Accept-Language": "nl"}
OCTOBER = {"from": "2025-10", "to": "2025-10"}
ROWS_HEADER = (
    "Site code",
    "Site",
    "Indicator code",
    "Indicator",
    "Breakdown code",
    "Breakdown",
    "Value",
)


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def named(rows, indicator, breakdown="") -> tuple:
    """(indicator name, breakdown name) beside the codes, sites as columns."""
    [row] = [row for row in rows[2:] if row[0:3:2] == (indicator, breakdown or None)]
    return row[1], row[3]


def named_at(rows, site, indicator, breakdown="") -> tuple:
    """(site name, indicator name, breakdown name) beside the codes, sites as rows."""
    [row] = [row for row in rows[1:] if row[0:5:2] == (site, indicator, breakdown or None)]
    return row[1], row[3], row[5]


# -- A few sites: a column each ---------------------------------------------------------------


def test_a_few_sites_are_columns_with_their_names_above_their_codes(dataset, supervisor):
    workbook = xlsx_workbook(supervisor.get("/api/v1/exports/monthly.xlsx", query_string=OCTOBER))
    sheet = workbook["2025-10"]
    rows = rows_of(sheet)
    assert rows[0] == (
        None,
        None,
        None,
        "Site",
        "DCR Amsterdam",
        "Street team",
        "Rotterdam NSP",
        "All sites",
    )
    assert rows[1] == ("Indicator code", "Indicator", "Breakdown code", "Breakdown", *SITES, ALL)
    assert sheet.freeze_panes == "E3"
    assert sheet.auto_filter.ref == f"A2:H{len(rows)}"
    assert sheet.column_dimensions["B"].width == 36
    assert named(rows, "contacts") == ("Contacts", "Total")
    assert named(rows, "contacts", "street_outreach") == ("Contacts", "Street outreach")
    assert named(rows, "people_contacted") == ("People contacted", None)
    assert named(rows, "contacts_by_gender", "unknown") == ("Contacts by gender", "Not recorded")
    assert named(rows, "unique_clients_by_age_group", "under_25") == (
        "Unique clients by age group",
        "Under 25",
    )
    assert named(rows, "items_distributed", "syringe_1ml") == ("Items distributed", "Syringe 1 ml")
    assert named(rows, "referrals_made", "hcv_test")[1]  # the referral type's name
    assert named(rows, "syringes_returned", "estimated") == (
        "Syringes returned",
        "Estimated from a sharps container",
    )
    assert (
        named(rows, "syringes_distributed_by_outlet", "specialised")[1] == "Specialised programme"
    )
    assert named(rows, "incidents_by_outcome", "hospital") == (
        "Incidents by outcome",
        "Taken to hospital",
    )


@pytest.mark.usefixtures("compiled_dutch")
def test_a_dutch_reader_gets_dutch_names_beside_the_same_codes(dataset, supervisor):
    english = xlsx_workbook(supervisor.get("/api/v1/exports/monthly.xlsx", query_string=OCTOBER))
    dutch = xlsx_workbook(
        supervisor.get("/api/v1/exports/monthly.xlsx", query_string=OCTOBER, headers=DUTCH)
    )
    assert dutch.sheetnames == ["2025-10", "Definities"]
    rows = rows_of(dutch["2025-10"])
    assert rows[0][4:] == (
        "Gebruiksruimte Amsterdam",
        "Veldwerkteam",
        "Spuitomruil Rotterdam",
        rows[0][7],
    )
    assert named(rows, "contacts")[0] == "Contacten"
    assert named(rows, "contacts", "street_outreach") == ("Contacten", "Veldwerk")
    assert named(rows, "items_distributed", "syringe_1ml")[1] == "Spuit 1 ml"
    assert named(rows, "contacts_by_gender", "unknown")[1] == "Niet vastgelegd"
    # The codes and the numbers are the same in every language.
    assert [row[0::2] for row in rows[2:]] == [row[0::2] for row in rows_of(english["2025-10"])[2:]]
    dutch_titles = rows[1][:4]
    assert dutch_titles == ("Code indicator", "Indicator", "Code uitsplitsing", "Uitsplitsing")
    assert xlsx_cells(dutch, ["2025-10"], dutch_titles) == xlsx_cells(english, ["2025-10"])


def test_the_definitions_name_the_emcdda_figure_each_indicator_feeds(dataset, supervisor):
    workbook = xlsx_workbook(
        supervisor.get("/api/v1/exports/annual.xlsx", query_string={"year": 2025})
    )
    rows = rows_of(workbook["Definitions"])
    assert rows[0] == ("Indicator", "Name", "Definition", "Suppressed", "EMCDDA table")
    emcdda = {row[0]: row[4] for row in rows[1 : len(INDICATORS) + 1]}
    assert emcdda == {indicator.name: str(indicator.emcdda) or None for indicator in INDICATORS}
    for name in ("syringes_distributed_by_outlet", "outlets_active", "syringes_distributed"):
        assert emcdda[name].startswith("ST10"), name
    assert emcdda["people_trained_naloxone"] is None


# -- A national organisation: 300 sites, a row each -------------------------------------------

NATIONAL_SITES = 300
KINDS = ("pharmacy", "vending_machine", "outreach", "dcr", "police_station")


@pytest.fixture
def national(app, make_user, build):
    """300 sites (the three of every test and 297 more), a few contacts at a few of them."""
    make_user("worker", SITES, username="national-worker")
    with build() as b:
        for number in range(NATIONAL_SITES - len(SITES)):
            site = Site(
                code=f"NL-{number:03d}",
                name_en=f"Outlet {number}",
                name_nl=f"Uitgiftepunt {number}",
                kind=KINDS[number % len(KINDS)],
            )
            db.session.add(site)
            b.sites[site.code] = site
        worker = b.user("national-worker")
        b.client("ANNA", "f", 1990)
        for day, site in enumerate(("NL-000", "NL-001", "NL-002", DCR, OUT, NSP), start=1):
            b.contact(
                f"2025-10-{day:02d}T10:00",
                site,
                "street_outreach",
                by=worker,
                client="ANNA" if day % 2 else None,
                flags=("injects",),
                items={"syringe_1ml": 10 * day},
                referrals=[("hcv_test", "made", "GGD")],
            )


def test_300_sites_are_rows_all_sites_first(app, national, login_as):
    admin = login_as("admin", sites=())
    response = admin.get("/api/v1/exports/annual.xlsx", query_string={"year": 2025})
    workbook = xlsx_workbook(response)
    assert workbook.sheetnames == ["2025", "Definitions"]
    sheet = workbook["2025"]
    rows = rows_of(sheet)
    assert rows[0] == ROWS_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:G{len(rows)}"
    assert [sheet.column_dimensions[column].width for column in "ABCDEFG"] == [
        24,
        36,
        24,
        36,
        24,
        36,
        12,
    ]
    # All sites' totals first, then the sites by code, each with the same rows.
    with app.app_context():
        codes = list(db.session.scalars(select(Site.code).order_by(Site.code)))
    assert len(codes) == NATIONAL_SITES
    order = list(dict.fromkeys(row[0] for row in rows[1:]))
    assert order == [ALL, *codes]
    per_site = {}
    for row in rows[1:]:
        per_site.setdefault(row[0], []).append(row[2:5:2])
    assert all(lines == per_site[ALL] for lines in per_site.values())
    # Named in English beside the codes.
    assert rows[1][:6] == (ALL, "All sites", "contacts", "Contacts", None, "Total")
    assert named_at(rows, "NL-001", "contacts")[0] == "Outlet 1"
    site_name, _indicator, outlet = named_at(
        rows, "NL-001", "syringes_distributed_by_outlet", "vending_machine"
    )
    assert (site_name, outlet) == ("Outlet 1", "Syringe vending machine")
    # The same numbers as the CSV, suppressed alike.
    cells = csv_cells(
        admin.get("/api/v1/exports/annual.csv", query_string={"year": 2025}), first="year"
    )
    assert {
        ("2025", row[0], row[2], row[4] or ""): ("" if row[6] is None else row[6])
        for row in rows[1:]
    } == {key: ("" if value is None else value) for key, value in cells.items()}
    assert cells[("2025", ALL, "syringes_distributed", "")] == 210  # 10 + 20 + ... + 60
    assert cells[("2025", "NL-000", "contacts", "")] == "<10"
    # The audit log keeps what it can of 300 codes, and whether the export was suppressed.
    (_actor_id, _name, target, detail), _csv = export_events(app)
    assert target == "annual.xlsx"
    assert len(detail) <= 500
    assert detail.startswith("2025 sites=AMS-DCR1,AMS-OUT1,NL-000,")
    assert detail.endswith(f"... ({NATIONAL_SITES} sites) suppressed=<10")


@pytest.mark.usefixtures("compiled_dutch")
def test_300_sites_in_dutch(national, login_as):
    admin = login_as("admin", sites=())
    workbook = xlsx_workbook(
        admin.get("/api/v1/exports/monthly.xlsx", query_string=OCTOBER, headers=DUTCH)
    )
    assert workbook.sheetnames == ["2025-10", "Definities"]
    rows = rows_of(workbook["2025-10"])
    assert named_at(rows, "NL-001", "contacts")[:2] == ("Uitgiftepunt 1", "Contacten")
    assert named_at(rows, "NL-002", "items_distributed", "syringe_1ml")[2] == "Spuit 1 ml"
    assert named_at(rows, DCR, "contacts", "street_outreach") == (
        "Gebruiksruimte Amsterdam",
        "Contacten",
        "Veldwerk",
    )
