"""Plain helpers of the supplies tests: movements as a device sends them, stock as the API
answers it, and the ledger counted again."""

import uuid

from sqlalchemy import select

from outreach.extensions import db
from outreach.supplies.models import StockBalance, StockMonth
from outreach.supplies.months import recounted_balances
from tests.conftest import local_now


def movement(kind="received", quantity=100, item="syringe_1ml", site="AMS-DCR1", **fields):
    """A stock movement as a device sends it; keyword arguments add or override fields."""
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": local_now(5).isoformat(),
        "site": site,
        "item": item,
        "kind": kind,
        "quantity": quantity,
        **fields,
    }


def send(client, *movements, contacts=()):
    """Sync movements (and contacts); the results, which must all have come back."""
    response = client.post(
        "/api/v1/sync", json={"stock_movements": list(movements), "contacts": list(contacts)}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == len(movements) + len(contacts)
    return results


def statuses_of(results) -> list[str]:
    return [result["status"] for result in results]


def stock(client, site="AMS-DCR1") -> dict:
    """{item code: on hand} of a site, as `GET /api/v1/stock` answers, only items held."""
    response = client.get("/api/v1/stock", query_string={"site": site})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {
        item["item"]: item["on_hand"] for item in response.get_json()["items"] if item["on_hand"]
    }


def lots(client, item="syringe_1ml", site="AMS-DCR1") -> list[tuple]:
    """[(lot, expires_on, quantity)] of an item at a site, earliest expiry first."""
    response = client.get("/api/v1/stock", query_string={"site": site})
    for held in response.get_json()["items"]:
        if held["item"] == item:
            return [(lot["lot"], lot["expires_on"], lot["quantity"]) for lot in held["lots"]]
    return []


def balances_as_kept() -> dict:
    return {
        (row.site_id, row.item_id, row.lot): (row.quantity, row.expires_on)
        for row in db.session.execute(select(StockBalance)).scalars()
        if row.quantity
    }


def balances_recounted() -> dict:
    return {key: value for key, value in recounted_balances().items() if value[0]}


def months_as_kept() -> dict:
    return {
        (row.month, row.site_id, row.item_id, row.flow): row.quantity
        for row in db.session.execute(select(StockMonth)).scalars()
        if row.quantity
    }
