"""The monthly exports: the tidy CSV, the XLSX and the dashboard agree with the hand-worked
numbers, and every export is written to the audit log."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from tests.field.html import parse
from tests.reports.expected import EXPECTED, INDICATOR_NAMES, SUPPLY, non_zero
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES
from tests.reports.test_pages import headline

THREE_MONTHS = {"from": "2025-09", "to": "2025-11"}
# Indicators that exist only by breakdown: their total is another indicator (contacts,
# unique_clients, incidents) or, for target groups that overlap, has no meaning.
BREAKDOWN_ONLY = {
    "contacts_by_flag",
    "unique_clients_by_flag",
    "contacts_by_gender",
    "unique_clients_by_gender",
    "contacts_by_age_group",
    "unique_clients_by_age_group",
    "incidents_by_outcome",
}


def number(text: str):
    if text == "":
        return None
    if text.startswith("<"):
        return text
    return float(text) if "." in text else int(text)


def csv_cells(response, first="month") -> dict:
    """{(month or year, site, indicator, breakdown): value} of a CSV export, values as
    numbers."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [first, "site", "indicator", "breakdown", "value"]
    cells = {tuple(row[:4]): number(row[4]) for row in rows[1:]}
    assert len(cells) == len(rows) - 1, "a key twice"
    return cells


def xlsx_workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.get_data()))


WIDE_HEADER = ("Indicator code", "Indicator", "Breakdown code", "Breakdown")


def xlsx_cells(workbook, periods, titles=WIDE_HEADER) -> dict:
    """The period sheets (sites as columns: site names above the header of codes) as
    {(period, site, indicator, breakdown): value}; `titles`: its first four columns' titles, in
    the reader's language."""
    cells = {}
    for period in periods:
        rows = list(workbook[period].iter_rows(values_only=True))
        header = list(rows[1])
        assert tuple(header[:4]) == titles
        for indicator, _name, breakdown, _breakdown_name, *values in rows[2:]:
            for site, value in zip(header[4:], values, strict=True):
                cells[(period, site, indicator, breakdown or "")] = (
                    None if value in (None, "") else value
                )
    return cells


def of_month(cells: dict, month: str) -> dict:
    return {key[1:]: value for key, value in cells.items() if key[0] == month}


def test_csv_without_suppression_has_the_hand_worked_numbers(dataset, supervisor):
    response = supervisor.get(
        "/api/v1/exports/monthly.csv", query_string={**THREE_MONTHS, "suppress": "false"}
    )
    cells = csv_cells(response)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="outreach-2025-09-2025-11-unsuppressed.csv"'
    )
    months = [key[0] for key in cells]
    assert months == sorted(months)  # month by month
    assert {key[1] for key in cells} == {*SITES, ALL}
    for month, expected in EXPECTED.items():
        values = of_month(cells, month)
        assert non_zero(values) == expected, month
        # every indicator; those that exist only by breakdown when they have one that month
        with_data = {key[1] for key in expected}
        assert {key[1] for key in values} == (set(INDICATOR_NAMES) - BREAKDOWN_ONLY) | (
            BREAKDOWN_ONLY & with_data
        ), month
        # every indicator's total, at every site and ALL
        for indicator in set(INDICATOR_NAMES) - BREAKDOWN_ONLY:
            for site in (*SITES, ALL):
                assert (site, indicator, "") in values, (month, site, indicator)


def test_csv_rows_come_by_month_site_indicator_and_breakdown(dataset, supervisor):
    """The order of DESIGN §6: month, then site (by code, ALL last), then the
    indicators in the order of §7, then each indicator's total before its breakdowns."""
    response = supervisor.get(
        "/api/v1/exports/monthly.csv",
        query_string={**THREE_MONTHS, "suppress": "false", "site": [NSP, DCR]},
    )
    keys = list(csv_cells(response))
    expected_order = sorted(
        keys,
        key=lambda key: (
            key[0],
            (DCR, NSP, ALL).index(key[1]),
            INDICATOR_NAMES.index(key[2]),
            key[3],
        ),
    )
    assert keys == expected_order
    assert keys[0] == ("2025-09", DCR, "contacts", "")
    assert keys[-1][:2] == ("2025-11", ALL)


def test_csv_fills_in_zeros_and_leaves_a_rate_without_syringes_empty(dataset, supervisor):
    cells = csv_cells(
        supervisor.get(
            "/api/v1/exports/monthly.csv", query_string={**THREE_MONTHS, "suppress": "false"}
        )
    )
    assert cells[("2025-10", NSP, "anonymous_contacts", "")] == 0
    assert cells[("2025-10", OUT, "dcr_visits", "inject")] == 0  # a breakdown seen at DCR
    assert cells[("2025-10", DCR, "syringes_returned", "estimated")] == 0
    assert cells[("2025-09", OUT, "contacts", "")] == 0  # its only contact is voided
    assert cells[("2025-09", NSP, "return_rate", "")] == 0  # 0 returned of 5
    assert cells[("2025-11", OUT, "return_rate", "")] is None  # 5 returned, none handed out
    assert cells[("2025-11", NSP, "return_rate", "")] is None
    # No made-up totals for indicators that only exist by breakdown.
    assert not [key for key in cells if key[2] in BREAKDOWN_ONLY and key[3] == ""]


def test_xlsx_holds_the_same_numbers_as_the_csv(dataset, supervisor):
    query = {**THREE_MONTHS, "suppress": "false"}
    expected = csv_cells(supervisor.get("/api/v1/exports/monthly.csv", query_string=query))
    response = supervisor.get("/api/v1/exports/monthly.xlsx", query_string=query)
    workbook = xlsx_workbook(response)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="outreach-2025-09-2025-11-unsuppressed.xlsx"'
    )
    assert workbook.sheetnames == ["2025-09", "2025-10", "2025-11", "Definitions"]
    names, codes = list(workbook["2025-10"].iter_rows(values_only=True))[:2]
    assert names == (
        None,
        None,
        None,
        "Site",
        "DCR Amsterdam",
        "Street team",
        "Rotterdam NSP",
        "All sites",
    )
    assert codes == (*WIDE_HEADER, *SITES, ALL)
    assert xlsx_cells(workbook, ["2025-09", "2025-10", "2025-11"]) == expected
    assert non_zero(of_month(expected, "2025-10")) == EXPECTED["2025-10"]


def test_xlsx_definitions_say_what_is_suppressed(dataset, supervisor):
    query = {"from": "2025-10", "to": "2025-10"}
    plain = xlsx_workbook(
        supervisor.get("/api/v1/exports/monthly.xlsx", query_string={**query, "suppress": "false"})
    )
    rows = list(plain["Definitions"].iter_rows(values_only=True))
    assert rows[0] == ("Indicator", "Name", "Definition", "Suppressed", "EMCDDA table")
    assert [row[0] for row in rows[1:]] == list(INDICATOR_NAMES)
    assert all(row[1] and row[2] for row in rows[1:])
    assert {row[3] for row in rows[1:]} == {"no"}

    published = xlsx_workbook(
        supervisor.get("/api/v1/exports/monthly.xlsx", query_string={**query, "suppress": "true"})
    )
    rows = list(published["Definitions"].iter_rows(values_only=True))
    suppressed = {row[0]: row[3] for row in rows[1 : len(INDICATOR_NAMES) + 1]}
    for name in INDICATOR_NAMES:
        assert suppressed[name] == ("no" if name in SUPPLY else "yes, below 10"), name
    assert "<10" in rows[-1][0]


def test_suppressed_xlsx_and_csv_hide_the_same_cells(dataset, supervisor):
    query = {"from": "2025-10", "to": "2025-10", "suppress": "true"}
    csv_values = csv_cells(supervisor.get("/api/v1/exports/monthly.csv", query_string=query))
    workbook = xlsx_workbook(supervisor.get("/api/v1/exports/monthly.xlsx", query_string=query))
    xlsx_values = xlsx_cells(workbook, ["2025-10"])
    assert xlsx_values == csv_values
    assert xlsx_values[("2025-10", DCR, "contacts", "")] == "<10"
    assert xlsx_values[("2025-10", ALL, "syringes_distributed", "")] == 100


def test_dashboard_headlines_agree_with_the_export(dataset, supervisor):
    cells = csv_cells(
        supervisor.get(
            "/api/v1/exports/monthly.csv",
            query_string={"from": "2025-10", "to": "2025-10", "suppress": "false"},
        )
    )
    response = supervisor.get("/reports?month=2025-10")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    expected = {
        "contacts": "9",
        "people_contacted": "11",
        "unique_clients": "6",
        "new_clients": "5",
        "syringes_distributed": "100",
        "syringes_returned": "86",
        "naloxone_kits_distributed": "3",
        "referrals_made": "5",
        "referrals_attended": "1",
        "incidents": "3",
    }
    for name, figure in expected.items():
        assert headline(page, name) == figure, name
        assert cells[("2025-10", ALL, name, "")] == int(figure), name
    assert headline(page, "return_rate") == "86%"
    assert cells[("2025-10", ALL, "return_rate", "")] == 0.86


# -- Every export is audited -----------------------------------------------------------------

OCTOBER_ONLY = "from=2025-10&to=2025-10"


def export_events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).scalars()
        return [(e.actor_id, e.actor_name, e.target, e.detail) for e in events]


@pytest.mark.parametrize(
    ("url", "target", "suppressed"),
    [
        (f"/api/v1/exports/monthly.csv?{OCTOBER_ONLY}", "monthly.csv", "<10"),
        (f"/api/v1/exports/monthly.csv?{OCTOBER_ONLY}&suppress=false", "monthly.csv", "no"),
        (f"/api/v1/exports/monthly.xlsx?{OCTOBER_ONLY}", "monthly.xlsx", "<10"),
        (f"/reports/export?format=csv&{OCTOBER_ONLY}", "monthly.csv", "no"),
        (f"/reports/export?format=csv&{OCTOBER_ONLY}&suppress=true", "monthly.csv", "<10"),
        (f"/reports/export?format=xlsx&{OCTOBER_ONLY}", "monthly.xlsx", "no"),
    ],
)
def test_every_export_is_written_to_the_audit_log(
    app, dataset, supervisor, url, target, suppressed
):
    assert export_events(app) == []
    response = supervisor.get(url)
    assert response.status_code == 200
    response.get_data()  # the whole download
    with app.app_context():
        user_id = db.session.execute(
            select(User.id).where(User.username == supervisor.username)
        ).scalar_one()
    [(actor_id, actor_name, event_target, detail)] = export_events(app)
    assert (actor_id, actor_name, event_target) == (user_id, supervisor.username, target)
    assert "2025-10..2025-10" in detail
    assert f"suppressed={suppressed}" in detail
