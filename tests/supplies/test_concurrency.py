"""Syncs drawing on the same stock at the same moment leave it exact: each request locks the
stock it changes, in order, before anything else (DESIGN §6; exact on PostgreSQL, where requests
really run at once)."""

import pytest

from outreach.extensions import db
from tests.conftest import ApiClient
from tests.supplies.helpers import balances_as_kept, balances_recounted, movement, send, stock
from tests.sync.test_concurrency import send_together

ROUNDS = 8


def race_for_the_same_stock(app, make_user, make_contact):
    keeper = ApiClient(app.test_client(), make_user("supervisor", ("AMS-DCR1", "AMS-OUT1")))
    send(keeper, movement("received", 5000), movement("received", 5000, site="AMS-OUT1"))
    phones = [
        ApiClient(app.test_client(), make_user("worker", ("AMS-DCR1",))),
        ApiClient(app.test_client(), make_user("worker", ("AMS-DCR1",))),
    ]
    drawn = 0
    for _round in range(ROUNDS):
        batches = []
        for _phone in phones:
            contacts = [
                make_contact(client_code=None, items=[{"code": "syringe_1ml", "quantity": 7}])
                for _ in range(5)
            ]
            batches.append({"contacts": contacts, "stock_movements": [movement("handed_out", 11)]})
            drawn += 5 * 7 + 11
        for status_code, body in send_together(phones, batches):
            assert status_code == 200, body
            assert {result["status"] for result in body["results"]} == {"created"}, body
        # Meanwhile the keeper moves stock both ways between the two sites, at once.
        moves = [
            {"stock_movements": [movement("transfer", 3, to_site="AMS-OUT1")]},
            {"stock_movements": [movement("transfer", 3, site="AMS-OUT1", to_site="AMS-DCR1")]},
        ]
        keepers = [keeper, ApiClient(app.test_client(), keeper.username)]
        for status_code, body in send_together(keepers, moves):
            assert status_code == 200, body
            assert body["results"][0]["status"] == "created", body
    assert stock(keeper) == {"syringe_1ml": 5000 - drawn}
    assert stock(keeper, "AMS-OUT1") == {"syringe_1ml": 5000}
    with app.app_context():
        assert balances_as_kept() == balances_recounted()
        db.session.remove()


def test_syncs_drawing_the_same_stock_at_once_leave_it_exact(app, make_user, make_contact):
    race_for_the_same_stock(app, make_user, make_contact)


@pytest.mark.postgresql
def test_syncs_drawing_the_same_stock_at_once_leave_it_exact_on_postgresql(
    app, make_user, make_contact
):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    race_for_the_same_stock(app, make_user, make_contact)
