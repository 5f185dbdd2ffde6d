"""A contact's items come out of its site's stock, in the same transaction, whichever way it
arrives (the phone's quick path, the schema's path, the form); a hand-out beyond the books is
never refused; a void puts the items back where they came from."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.supplies.models import StockEntry, StockShortfall
from tests.supplies.helpers import (
    balances_as_kept,
    balances_recounted,
    lots,
    months_as_kept,
    movement,
    send,
    statuses_of,
    stock,
)

SOON = (date.today() + timedelta(days=20)).isoformat()
LATER = (date.today() + timedelta(days=200)).isoformat()


@pytest.fixture
def worker(login_as):
    return login_as("worker")


def items(**quantities) -> list[dict]:
    return [{"code": code, "quantity": quantity} for code, quantity in quantities.items()]


def shortfalls(app) -> list[tuple]:
    with app.app_context():
        return [
            (row.quantity, row.resolved_at is not None)
            for row in db.session.execute(
                select(StockShortfall).order_by(StockShortfall.id)
            ).scalars()
        ]


def test_a_contact_takes_its_items_earliest_expiry_first(app, keeper, worker, make_contact):
    send(
        keeper,
        movement("received", 100, lot="LATE", expires_on=LATER),
        movement("received", 15, lot="SOON", expires_on=SOON),
        movement("received", 40, item="swab"),
    )
    contact = make_contact(items=items(syringe_1ml=20, swab=10))
    assert statuses_of(send(worker, contacts=[contact])) == ["created"]
    assert stock(worker) == {"syringe_1ml": 95, "swab": 30}
    assert lots(worker) == [("LATE", LATER, 95)]
    with app.app_context():
        lines = db.session.execute(
            select(StockEntry.lot, StockEntry.quantity)
            .where(StockEntry.kind == "contact")
            .order_by(StockEntry.id)
        ).all()
        assert [tuple(line) for line in lines] == [("SOON", -15), ("LATE", -5), ("", -10)]
        assert balances_as_kept() == balances_recounted()


def test_a_hand_out_beyond_the_books_is_never_refused(app, keeper, worker, make_contact):
    send(keeper, movement("received", 5))
    contact = make_contact(items=items(syringe_1ml=20))
    assert statuses_of(send(worker, contacts=[contact])) == ["created"]
    assert stock(worker) == {}  # zero, never below
    assert shortfalls(app) == [(15, False)]
    response = worker.get("/api/v1/stock", query_string={"site": "AMS-DCR1"})
    assert response.get_json()["shortfalls"] == 1
    with app.app_context():
        assert balances_as_kept() == balances_recounted()


def test_stock_nobody_keeps_books_of_flags_no_shortfall(app, worker, make_contact):
    """A site whose stock was never recorded: the ledger still balances (shortfall lines), but a
    supervisor is not asked to look into every contact."""
    send(worker, contacts=[make_contact(items=items(syringe_1ml=20))])
    assert stock(worker) == {}
    assert shortfalls(app) == []
    with app.app_context():
        kinds = db.session.execute(select(StockEntry.kind, StockEntry.quantity)).all()
        assert sorted(tuple(row) for row in kinds) == [("contact", -20), ("shortfall", 20)]


def test_a_void_puts_the_items_back_into_their_lots(app, keeper, worker, make_contact):
    send(
        keeper,
        movement("received", 10, lot="SOON", expires_on=SOON),
        movement("received", 50, lot="LATE", expires_on=LATER),
    )
    contact = make_contact(items=items(syringe_1ml=25))
    send(worker, contacts=[contact])
    assert lots(worker) == [("LATE", LATER, 35)]
    response = keeper.post(f"/api/v1/contacts/{contact['id']}/void", json={"reason": "twice"})
    assert response.status_code == 200, response.get_json()
    assert lots(worker) == [("SOON", SOON, 10), ("LATE", LATER, 50)]
    with app.app_context():
        assert balances_as_kept() == balances_recounted()
        # The contact's month hands out nothing any more.
        assert not any(flow.startswith("handed_out") for _m, _s, _i, flow in months_as_kept())


def test_a_void_takes_back_the_shortfall_and_closes_it(app, keeper, worker, make_contact):
    send(keeper, movement("received", 5))
    contact = make_contact(items=items(syringe_1ml=20))
    send(worker, contacts=[contact])
    send(keeper, movement("received", 100))  # the delivery that was late on the books
    assert stock(worker) == {"syringe_1ml": 100}
    keeper.post(f"/api/v1/contacts/{contact['id']}/void", json={"reason": "twice"})
    # Back to what the books held without the contact: 5 + 100.
    assert stock(worker) == {"syringe_1ml": 105}
    assert shortfalls(app) == [(15, True)]
    with app.app_context():
        assert balances_as_kept() == balances_recounted()
        # Handed out and the shortfall: each back to nothing in the month's flows.
        assert {flow for _m, _s, _i, flow in months_as_kept()} == {"received"}


def test_a_batch_draws_each_contact_from_its_site(app, keeper, login_as, make_contact):
    send(keeper, movement("received", 100), movement("received", 100, site="AMS-OUT1"))
    worker = login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))
    batch = [make_contact(items=items(syringe_1ml=3), client_code=None) for _ in range(10)]
    batch += [
        make_contact(
            site="AMS-OUT1",
            kind="street_outreach",
            route=None,
            client_code=None,
            items=items(syringe_1ml=7),
        )
        for _ in range(5)
    ]
    assert statuses_of(send(worker, contacts=batch)) == ["created"] * 15
    assert stock(worker) == {"syringe_1ml": 70}
    assert stock(worker, "AMS-OUT1") == {"syringe_1ml": 65}
    with app.app_context():
        assert balances_as_kept() == balances_recounted()
