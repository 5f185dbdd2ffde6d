"""Stock in the monthly reports and exports (DESIGN §7): received, transferred in and out,
handed out (contacts and bulk), adjusted, disposed of, closing; opening + in - out = closing for
every month, site and item; bulk hand-outs among the items, syringes and naloxone kits
distributed but never contacts or people; supply counts never suppressed."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.reports.timezone import move_to_time_zone
from outreach.timekeeping import month_bounds, month_of, months_between, now
from tests.conftest import local_now
from tests.supplies.helpers import months_as_kept, movement, send

SITES = ("AMS-DCR1", "AMS-OUT1")
IN_FLOWS = ("stock_received", "stock_transferred_in", "stock_adjusted")
OUT_FLOWS = ("stock_transferred_out", "stock_handed_out", "stock_disposed")


def at(days_ago: float) -> str:
    return local_now(days_ago * 24 * 60).isoformat()


@pytest.fixture
def history(app, login_as, make_contact):
    """Three months of a storeroom's life at two sites."""
    keeper = login_as("supervisor", sites=SITES)
    worker = login_as("worker", sites=SITES)
    send(
        keeper,
        movement("received", 1000, occurred_at=at(70), lot="L1", expires_on="2027-03-31"),
        movement("received", 40, item="naloxone_kit", occurred_at=at(70)),
        movement("transfer", 300, to_site="AMS-OUT1", occurred_at=at(65)),
        movement("adjustment", -12, reason="damaged", occurred_at=at(40)),
        movement("disposal", 8, occurred_at=at(35)),
        movement("count", 500, occurred_at=at(3)),
        movement("received", 200, site="AMS-OUT1", occurred_at=at(2)),
    )
    contacts = [
        make_contact(
            occurred_at=at(days),
            client_code=None,
            items=[
                {"code": "syringe_1ml", "quantity": 10},
                {"code": "naloxone_kit", "quantity": 1},
            ],
        )
        for days in (66, 45, 20, 1)
    ]
    send(worker, contacts=contacts)
    # A pharmacy's packs for a fortnight, logged without contacts; and one beyond the books.
    send(
        worker,
        movement("handed_out", 150, site="AMS-OUT1", occurred_at=at(30)),
        movement("handed_out", 5, item="swab", occurred_at=at(10)),
    )
    keeper.post(f"/api/v1/contacts/{contacts[1]['id']}/void", json={"reason": "twice"})
    with app.app_context():
        months = months_between(month_of(now() - timedelta(days=70)), month_of(now()))
    return {"keeper": keeper, "months": months}


def report_of(months):
    sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
    return monthly_report(months, sites), direct_report(months, sites)


def test_the_report_counts_stock_as_the_ledger_does(app, history):
    with app.app_context():
        report, oracle = report_of(history["months"])
        assert report.values == oracle.values
        stock = {key: value for key, value in report.values.items() if key[2].startswith("stock_")}
        assert stock  # there is something to compare


def test_opening_plus_in_minus_out_is_closing(app, history):
    months = history["months"]
    with app.app_context():
        report, _oracle = report_of(months)
    closing_keys = {
        (site, breakdown)
        for (_month, site, indicator, breakdown) in report.values
        if indicator.startswith("stock_")
    }
    assert ("AMS-DCR1", "syringe_1ml") in closing_keys
    for site, item in closing_keys:
        opening = 0
        for month in months:
            inflow = sum(report.get(month, name, item, site) for name in IN_FLOWS)
            outflow = sum(report.get(month, name, item, site) for name in OUT_FLOWS)
            closing = report.get(month, "stock_closing", item, site)
            assert opening + inflow - outflow == closing, (month, site, item)
            opening = closing


def test_the_closing_stock_is_what_the_sites_hold(app, history):
    keeper, months = history["keeper"], history["months"]
    with app.app_context():
        report, _oracle = report_of(months)
    for site in SITES:
        held = keeper.get("/api/v1/stock", query_string={"site": site}).get_json()
        for item in held["items"]:
            assert report.get(months[-1], "stock_closing", item["item"], site) == item["on_hand"]


def test_bulk_hand_outs_are_items_distributed_but_no_contacts(app, history):
    months = history["months"]
    with app.app_context():
        report, _oracle = report_of(months)
    with app.app_context():
        bulk_month = month_of(now() - timedelta(days=30))
    distributed = sum(report.get(m, "syringes_distributed", site="AMS-OUT1") for m in months)
    assert distributed == 150  # the pharmacy's packs; its contacts handed out none
    assert sum(report.get(m, "contacts", site="AMS-OUT1") for m in months) == 0
    assert sum(report.get(m, "people_contacted", site="AMS-OUT1") for m in months) == 0
    assert report.get(bulk_month, "stock_handed_out", "syringe_1ml", "AMS-OUT1") == 150
    # At the DCR: three contacts (one voided) of 10 syringes and a naloxone kit each.
    assert sum(report.get(m, "syringes_distributed", site="AMS-DCR1") for m in months) == 30
    assert sum(report.get(m, "naloxone_kits_distributed", site="AMS-DCR1") for m in months) == 3
    assert sum(report.get(m, "stock_handed_out", "naloxone_kit", "AMS-DCR1") for m in months) == 3


def test_the_export_has_the_stock_unsuppressed(history):
    keeper, months = history["keeper"], history["months"]
    response = keeper.get(
        "/api/v1/exports/monthly.csv",
        query_string={"from": months[0], "to": months[-1], "suppress": "true"},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    stock_rows = [row for row in rows if row["indicator"].startswith("stock_")]
    assert {row["indicator"] for row in stock_rows} >= {
        "stock_received",
        "stock_transferred_in",
        "stock_transferred_out",
        "stock_handed_out",
        "stock_adjusted",
        "stock_disposed",
        "stock_closing",
    }
    disposed = [
        row["value"]
        for row in stock_rows
        if (row["site"], row["indicator"], row["breakdown"])
        == ("AMS-DCR1", "stock_disposed", "syringe_1ml")
    ]
    # Small numbers of supplies are exact, never "<10".
    assert disposed == ["8"]
    assert not any(row["value"].startswith("<") for row in stock_rows)


def test_a_new_time_zone_recounts_the_stock_months(app, history):
    with app.app_context():
        before = months_as_kept()
        move_to_time_zone("Pacific/Kiritimati")  # UTC+14: some lines change month
        db.session.commit()
        after = months_as_kept()
        months = months_between(min(key[0] for key in after), max(key[0] for key in after))
        report, oracle = report_of(months)
        assert report.values == oracle.values
        assert sum(before.values()) == sum(after.values())


def test_purging_old_contacts_keeps_the_books(app, history):
    """The ledger holds nothing personal and is kept: a purge of old contacts changes neither
    what the sites hold nor any stock figure of the purged months."""
    keeper, months = history["keeper"], history["months"]
    with app.app_context():
        before = report_of(months)[0].values
    held = {
        site: keeper.get("/api/v1/stock", query_string={"site": site}).get_json() for site in SITES
    }
    result = app.test_cli_runner().invoke(args=["purge", "--before", months[-1], "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cutoff = month_bounds(months[-1])[0]
        old = select(Contact.id).where(Contact.occurred_at < cutoff)
        assert db.session.execute(old).first() is None  # the old contacts are gone
        after = report_of(months)[0].values
    assert {key: value for key, value in after.items() if key[2].startswith("stock_")} == {
        key: value for key, value in before.items() if key[2].startswith("stock_")
    }
    for site in SITES:
        assert keeper.get("/api/v1/stock", query_string={"site": site}).get_json() == held[site]
