"""The dashboard's month: the last complete one by default; the current month is the month so
far, compared with the same days of the month before (never with a whole month); a month that
is over is compared with the whole month before. On the hand-worked data set (2025-09 to 11)."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports.period import month_so_far, part_report, same_days_before
from outreach.timekeeping import month_bounds
from tests.field.html import parse
from tests.reports.hand_worked import DCR, NSP, utc
from tests.reports.test_pages import headline

THIN = "\N{THIN SPACE}"
DASH = "\N{EN DASH}"  # 1 - 2 October: babel writes thin spaces around it in English


def change(page, name: str) -> str:
    return page.one(data_indicator=name).find("dd", **{"class": "change"}).text


def test_the_dashboard_opens_on_the_last_complete_month(dataset, supervisor, clock):
    clock("2025-12-02T14:05")
    page = parse(supervisor.get("/reports").get_data(as_text=True))
    assert page.one("h1").text == "Reports · November 2025"
    assert page.one("input", name="month")["value"] == "2025-11"
    assert page.one("input", name="month")["max"] == "2025-12"
    assert headline(page, "contacts") == "2"  # N1, N2
    assert "Compared with October 2025." in page.one("p", id="comparison").text
    assert change(page, "contacts") == "-7 (-78%)"  # 2 against October's 9
    links = {
        a.get("rel"): a["href"]
        for a in page.one("nav", **{"class": "periods no-print"}).find_all("a")
    }
    assert links["prev"] == "/reports?month=2025-10"
    assert links["next"] == "/reports?month=2025-12"


def test_the_current_month_is_the_month_so_far(dataset, supervisor, clock):
    """2 November 14:00 in Amsterdam: compared with 1 October 00:00 to 2 October 14:00, which
    holds K1 (1 October) and not K8 (20 October) nor any other of October's contacts."""
    clock("2025-11-02T13:00")
    page = parse(supervisor.get("/reports?month=2025-11").get_data(as_text=True))
    assert page.one("h1").text == f"Reports · 1 {DASH} 2 November 2025 (so far)"
    assert page.one("h2", id="headlines-heading").text == "The month so far"
    hint = page.one("p", id="comparison").text
    assert hint.endswith(
        f"Compared with the same days of the month before: 1 {DASH} 2 October 2025."
    )
    # November's figures are the roll-ups: N1 and N2 (whatever their day).
    assert headline(page, "contacts") == "2"
    assert change(page, "contacts") == "+1 (+100%)"  # against K1 alone
    assert change(page, "syringes_distributed") == "-10 (-50%)"  # N1's 10 against K1's 20
    assert change(page, "unique_clients") == "+1 (+100%)"  # ANNA, BERT against ANNA
    # No month after this one to go to.
    nav = page.one("nav", **{"class": "periods no-print"})
    assert [a.get("rel") for a in nav.find_all("a")] == ["prev", None]


def test_a_month_that_is_over_is_compared_with_the_whole_month_before(dataset, supervisor, clock):
    clock("2025-11-02T13:00")
    page = parse(supervisor.get("/reports?month=2025-10").get_data(as_text=True))
    assert page.one("h1").text == "Reports · October 2025"
    assert "Compared with September 2025." in page.one("p", id="comparison").text
    assert change(page, "contacts") == "+6 (+200%)"  # 9 against S1, S3, S4 (S2 is voided)


def test_the_same_days_of_the_month_before(app, dataset, clock):
    with app.test_request_context():
        clock("2025-11-02T13:00")  # 14:00 CET
        before = same_days_before(month_so_far("2025-11"))
        assert before.month == "2025-10"
        assert before.end == utc("2025-10-02T12:00")  # 14:00 CEST
        assert before.label == f"1{THIN}{DASH}{THIN}2 October 2025"


@pytest.mark.parametrize(
    ("moment", "site", "counted"),
    [
        ("2025-11-02T13:00", DCR, 1),  # K1, on 1 October
        ("2025-11-02T13:00", NSP, 0),  # K7, K8, K9 lie after 2 October
        ("2025-11-20T09:30", NSP, 1),  # until 20 October 10:30 CEST: K7; K8 is later that day
        ("2025-11-20T10:30", NSP, 2),  # until 20 October 11:30 CEST: K7 and K8
    ],
)
def test_a_contact_counts_up_to_the_same_day_and_time_of_day(
    app, dataset, clock, moment, site, counted
):
    with app.test_request_context():
        clock(moment)
        before = same_days_before(month_so_far("2025-11"))
        sites = list(db.session.execute(select(Site).where(Site.code == site)).scalars())
        assert part_report(before, sites).get("2025-10", "contacts") == counted


def test_the_end_of_a_longer_month_is_compared_with_the_whole_month_before(app, clock):
    with app.test_request_context():
        clock("2026-03-31T08:00")
        before = same_days_before(month_so_far("2026-03"))
        assert before.month == "2026-02"
        assert before.end == month_bounds("2026-02")[1]
        assert before.label == f"1{THIN}{DASH}{THIN}28 February 2026"


def test_a_month_that_is_over_has_no_part(app, clock):
    with app.test_request_context():
        clock("2026-03-31T08:00")
        assert month_so_far("2026-02") is None
        assert month_so_far("2026-03").last_day.isoformat() == "2026-03-31"
