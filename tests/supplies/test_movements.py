"""Stock movements through `POST /api/v1/sync` (`stock_movements`): each kind's lines in the
ledger, who may record what, and every refusal with its field messages (DESIGN §6)."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from outreach.supplies.models import StockEntry, StockMovement
from tests.conftest import local_now
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

SOON = (date.today() + timedelta(days=30)).isoformat()
LATER = (date.today() + timedelta(days=300)).isoformat()


def rows(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_delivery_is_stock_and_a_resend_is_a_duplicate(app, keeper):
    delivery = movement(
        "received", 500, lot="A1", expires_on=LATER, source="purchase", reference="PO-2026-114"
    )
    assert statuses_of(send(keeper, delivery)) == ["created"]
    assert statuses_of(send(keeper, delivery)) == ["duplicate"]
    assert stock(keeper) == {"syringe_1ml": 500}
    assert lots(keeper) == [("A1", LATER, 500)]
    other = {**delivery, "quantity": 400}
    [result] = send(keeper, other)
    assert result["status"] == "conflict"
    assert stock(keeper) == {"syringe_1ml": 500}
    with app.app_context():
        assert rows(StockMovement) == 1
        assert balances_as_kept() == balances_recounted()


def test_a_transfer_moves_the_earliest_expiring_lot_first(app, keeper):
    send(
        keeper,
        movement("received", 100, lot="LATE", expires_on=LATER),
        movement("received", 30, lot="SOON", expires_on=SOON),
        movement("received", 10),  # no lot: drawn last
    )
    [result] = send(keeper, movement("transfer", 50, to_site="AMS-OUT1"))
    assert result["status"] == "created"
    assert lots(keeper) == [("LATE", LATER, 80), (None, None, 10)]
    assert lots(keeper, site="AMS-OUT1") == [("SOON", SOON, 30), ("LATE", LATER, 20)]
    # A named lot is taken from that lot only.
    send(keeper, movement("transfer", 5, to_site="AMS-OUT1", lot="LATE"))
    assert lots(keeper) == [("LATE", LATER, 75), (None, None, 10)]
    with app.app_context():
        lines = db.session.execute(select(StockEntry).where(StockEntry.kind == "transfer"))
        assert sum(line.quantity for line in lines.scalars()) == 0  # a pair: out and in
        assert balances_as_kept() == balances_recounted()


def test_a_count_records_the_difference_and_a_matching_count_a_line_of_zero(app, keeper):
    send(keeper, movement("received", 100))
    send(keeper, movement("count", 90))
    assert stock(keeper) == {"syringe_1ml": 90}
    send(keeper, movement("count", 120))
    assert stock(keeper) == {"syringe_1ml": 120}
    send(keeper, movement("count", 120))
    send(keeper, movement("count", 0))
    assert stock(keeper) == {}
    with app.app_context():
        counts = db.session.execute(
            select(StockEntry.quantity).where(StockEntry.kind == "count").order_by(StockEntry.id)
        ).scalars()
        assert list(counts) == [-10, 30, 0, -120]


def test_adjustments_disposals_and_bulk_hand_outs(app, keeper):
    send(keeper, movement("received", 100, lot="A1", expires_on=SOON))
    statuses = statuses_of(
        send(
            keeper,
            movement("adjustment", -5, reason="damaged"),
            movement("adjustment", 3, reason="other"),
            movement("disposal", 10, lot="A1", reason="expired"),
            movement("handed_out", 40),
        )
    )
    assert statuses == ["created"] * 4
    assert stock(keeper) == {"syringe_1ml": 100 - 5 + 3 - 10 - 40}
    with app.app_context():
        assert balances_as_kept() == balances_recounted()
        assert sum(months_as_kept().values()) == 48


def test_a_bulk_hand_out_beyond_the_books_is_stored_and_flagged(app, keeper):
    send(keeper, movement("received", 10))
    [result] = send(keeper, movement("handed_out", 25))
    assert result["status"] == "created"
    response = keeper.get("/api/v1/stock", query_string={"site": "AMS-DCR1"})
    assert stock(keeper) == {}
    assert response.get_json()["shortfalls"] == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"kind": "transfer", "quantity": 500, "to_site": "AMS-OUT1"},
            "quantity",
            "The books hold 100 of this item at this site.",
        ),
        (
            {"kind": "disposal", "quantity": 5, "lot": "NOPE"},
            "quantity",
            "The books hold 0 of this lot at this site.",
        ),
        (
            {"kind": "adjustment", "quantity": -101, "reason": "lost"},
            "quantity",
            "The books hold 100 of this item at this site.",
        ),
        (
            {"kind": "adjustment", "quantity": 0, "reason": "lost"},
            "quantity",
            "An adjustment changes the stock: not 0.",
        ),
        ({"kind": "adjustment", "quantity": 4}, "reason", "Choose a reason."),
        ({"kind": "count", "quantity": -1}, "quantity", "A count is 0 or more."),
        ({"kind": "received", "quantity": 0}, "quantity", "At least 1."),
        (
            {"kind": "received", "quantity": 10, "to_site": "AMS-OUT1"},
            "to_site",
            "Not part of this kind of movement.",
        ),
        ({"kind": "transfer", "quantity": 10}, "to_site", "Choose the site the stock goes to."),
        (
            {"kind": "transfer", "quantity": 10, "to_site": "AMS-DCR1"},
            "to_site",
            "A transfer goes to another site.",
        ),
        (
            {"kind": "transfer", "quantity": 10, "to_site": "RTM-NSP1"},
            "to_site",
            "You do not work at this site.",
        ),
        (
            {"kind": "received", "quantity": 10, "expires_on": SOON},
            "expires_on",
            "An expiry date belongs to a lot.",
        ),
        (
            {"kind": "received", "quantity": 10, "lot": "A1", "expires_on": LATER},
            "expires_on",
            f"This lot is recorded as expiring on {SOON}.",
        ),
        ({"kind": "received", "quantity": 10, "item": "nope"}, "item", "Unknown item: nope."),
        (
            {"kind": "received", "quantity": 10, "site": "RTM-NSP1"},
            "site",
            "You do not work at this site.",
        ),
        ({"kind": "received", "quantity": 10, "site": "NOPE"}, "site", "Unknown site."),
        ({"kind": "stolen", "quantity": 10}, "kind", "Unknown code."),
        (
            {"kind": "received", "quantity": 10, "lot": "x" * 41},
            "lot",
            "Longer than maximum length 40.",
        ),
        (
            {"kind": "received", "quantity": 10_000_001},
            "quantity",
            "Must be between -1000000 and 1000000.",
        ),
    ],
)
def test_a_refused_movement_says_why_and_writes_nothing(app, keeper, fields, field, message):
    send(keeper, movement("received", 100, lot="A1", expires_on=SOON))
    with app.app_context():
        before = (rows(StockMovement), rows(StockEntry), balances_as_kept(), months_as_kept())
    [result] = send(keeper, movement(**fields))
    assert result["status"] == "rejected", result
    assert message in result["errors"][field], result["errors"]
    with app.app_context():
        after = (rows(StockMovement), rows(StockEntry), balances_as_kept(), months_as_kept())
    assert after == before


def test_a_rejected_movement_names_every_problem_and_blocks_no_other(keeper):
    wrong = movement("transfer", 0, item="nope", site="NOPE", reason="lost")
    results = send(keeper, wrong, movement("received", 7))
    assert statuses_of(results) == ["rejected", "created"]
    assert set(results[0]["errors"]) == {"quantity", "item", "site", "reason", "to_site"}


def test_workers_count_and_hand_out_but_keep_no_other_books(login_as):
    worker = login_as("worker")
    results = send(
        worker,
        # Stored in the order they happened, whatever their ids: the count, then the hand-out.
        movement("count", 40, occurred_at=local_now(10).isoformat(), id=str(uuid.UUID(int=2))),
        movement("handed_out", 5, occurred_at=local_now(5).isoformat(), id=str(uuid.UUID(int=1))),
        movement("received", 100),
        movement("adjustment", 5, reason="other"),
    )
    assert statuses_of(results) == ["created", "created", "rejected", "rejected"]
    assert results[2]["errors"] == {
        "kind": ["Only supervisors and administrators record this kind of movement."]
    }
    assert stock(worker) == {"syringe_1ml": 35}


def test_an_admin_keeps_every_sites_books(login_as):
    admin = login_as("admin", sites=())
    results = send(admin, movement("received", 9, site="RTM-NSP1"))
    assert statuses_of(results) == ["created"]
    assert stock(admin, "RTM-NSP1") == {"syringe_1ml": 9}


def test_every_movement_is_in_the_audit_log(app, keeper):
    delivery = movement("received", 50, lot="B7")
    send(keeper, delivery, movement("transfer", 20, to_site="AMS-OUT1"))
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "stock_movement").order_by(AuditEvent.id)
        ).scalars()
        details = [(event.target, event.detail) for event in events]
    assert details[0] == (delivery["id"], "received 50 syringe_1ml at AMS-DCR1, lot B7")
    assert details[1][1] == "transfer 20 syringe_1ml at AMS-DCR1, to AMS-OUT1"


def test_the_sync_body_takes_stock_movements_in_its_record_limit(app, keeper):
    app.config["OUTREACH_SYNC_MAX_RECORDS"] = 2
    body = {"stock_movements": [movement() for _ in range(3)]}
    response = keeper.post("/api/v1/sync", json=body)
    assert response.status_code == 413
    response = keeper.post("/api/v1/sync", json={"stock_movements": [{"id": str(uuid.uuid4())}]})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["status"] == "rejected"
