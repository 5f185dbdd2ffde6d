"""`GET /api/v1/stock` and `GET /api/v1/stock/movements` (DESIGN §6)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach.auth.service import find_user
from outreach.catalog.models import EquipmentItem, Site
from outreach.extensions import db
from outreach.supplies.service import set_running_low_levels
from tests.supplies.helpers import movement, send

SOON = (date.today() + timedelta(days=10)).isoformat()


def test_a_sites_stock_by_item_and_lot_with_its_level_and_shortfalls(app, keeper, login_as):
    send(
        keeper,
        movement("received", 30, lot="Z9", expires_on=SOON),
        movement("received", 12),
        movement("received", 4, item="naloxone_kit"),
    )
    with app.test_request_context():
        site = db.session.execute(select(Site).where(Site.code == "AMS-DCR1")).scalar_one()
        kit = db.session.execute(
            select(EquipmentItem).where(EquipmentItem.code == "naloxone_kit")
        ).scalar_one()
        set_running_low_levels(find_user(keeper.username), site, {kit.id: 5})
        db.session.commit()
    send(keeper, movement("handed_out", 10, item="swab"))  # beyond the books: a shortfall
    worker = login_as("worker")
    response = worker.get("/api/v1/stock", query_string={"site": "AMS-DCR1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["site"] == "AMS-DCR1"
    assert body["shortfalls"] == 1
    items = {item["item"]: item for item in body["items"]}
    assert items["syringe_1ml"] == {
        "item": "syringe_1ml",
        "on_hand": 42,
        "running_low_at": None,
        "low": False,
        "lots": [
            {"lot": "Z9", "expires_on": SOON, "quantity": 30},
            {"lot": None, "expires_on": None, "quantity": 12},
        ],
    }
    assert items["naloxone_kit"]["low"] is True
    assert items["naloxone_kit"]["running_low_at"] == 5
    # Every item offered is listed, held or not.
    assert items["condom"]["on_hand"] == 0 and items["condom"]["lots"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [({}, 422), ({"site": "NOPE"}, 422), ({"site": "RTM-NSP1"}, 403), ({"site": ""}, 422)],
)
def test_stock_of_no_site_or_anothers(login_as, query, status):
    worker = login_as("worker")
    response = worker.get("/api/v1/stock", query_string=query)
    assert response.status_code == status
    assert response.is_json


def test_the_history_newest_first_filtered_and_paged(keeper, login_as):
    send(
        keeper,
        movement(
            "received",
            100,
            occurred_at=(date.today() - timedelta(days=3)).isoformat() + "T10:00:00+01:00",
        ),
        movement("transfer", 40, to_site="AMS-OUT1"),
        movement("count", 55),
    )
    response = keeper.get("/api/v1/stock/movements", query_string={"site": "AMS-DCR1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    kinds = [line["kind"] for line in body["movements"]]
    assert kinds[-1] == "received"
    transfer = next(line for line in body["movements"] if line["kind"] == "transfer")
    assert (transfer["quantity"], transfer["other_site"]) == (-40, "AMS-OUT1")
    assert transfer["recorded_by"] == keeper.username
    count = next(line for line in body["movements"] if line["kind"] == "count")
    assert (count["quantity"], count["counted"]) == (-5, 55)
    only = keeper.get(
        "/api/v1/stock/movements",
        query_string={"site": "AMS-OUT1", "kind": "transfer", "per_page": 1},
    ).get_json()
    assert only["total"] == 1 and only["movements"][0]["quantity"] == 40
    today = date.today().isoformat()
    recent = keeper.get("/api/v1/stock/movements", query_string={"from": today}).get_json()
    assert {line["kind"] for line in recent["movements"]} == {"transfer", "count"}
    assert login_as("worker").get("/api/v1/stock/movements").status_code == 403


@pytest.mark.parametrize(
    "query",
    [{"kind": "stolen"}, {"from": "yesterday"}, {"page": 0}, {"per_page": 500}, {"to": "9999-1-1"}],
)
def test_a_bad_history_question_is_a_422(keeper, query):
    response = keeper.get("/api/v1/stock/movements", query_string=query)
    assert response.status_code == 422
    assert response.get_json()["errors"]
