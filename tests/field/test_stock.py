"""The field's stock page without JavaScript: a worker records a count or a bulk hand-out at
one of their sites as a plain HTML form, stored as the sync stores a phone's movement."""

import uuid

import pytest
from sqlalchemy import select

from outreach.catalog.models import EquipmentItem
from outreach.extensions import db
from outreach.supplies.models import StockMovement
from tests.field.html import form_fields, label_of, parse
from tests.field.test_pages import (
    count,
    error_of,
    fill,
    flashes,
    open_page,
    redirected_to,
)

STOCK_PAGE = "/field/stock"


def stock_form(client, **fields) -> dict:
    return fill(form_fields(open_page(client, STOCK_PAGE).one("form", id="stock-form")), **fields)


def stock_of(api, site="AMS-DCR1") -> dict:
    """{item: on hand} as `GET /api/v1/stock` answers it."""
    answer = api.get(f"/api/v1/stock?site={site}")
    assert answer.status_code == 200, answer.get_json()
    return {held["item"]: held["on_hand"] for held in answer.get_json()["items"]}


def test_home_links_to_the_stock_page(worker):
    home = open_page(worker.client, "/field")

    assert [link.text for link in home.find_all("a", href=STOCK_PAGE)] == [
        "Stock count or bulk hand-out"
    ]


def test_stock_page_offers_the_users_sites_the_items_and_two_kinds(app, worker):
    page = open_page(worker.client, STOCK_PAGE)
    form = page.one("form", id="stock-form")

    assert [option["value"] for option in form.one("select", name="site").find_all("option")] == [
        "AMS-DCR1"
    ]
    with app.app_context():
        offered = list(
            db.session.execute(
                select(EquipmentItem.code, EquipmentItem.name_en)
                .where(EquipmentItem.active)
                .order_by(EquipmentItem.sort_order)
            )
        )
    items = form.one("select", name="item").find_all("option")
    assert [(option["value"], option.text) for option in items] == [tuple(o) for o in offered]
    kinds = form.find_all("input", name="kind")
    assert [(kind["value"], label_of(page, kind)) for kind in kinds] == [
        ("count", "Count"),
        ("handed_out", "Bulk hand-out"),
    ]
    assert "checked" in kinds[0].attrs
    for name in ("quantity", "lot", "occurred_at"):
        assert label_of(page, form.one("input", name=name))
    submits = [b.text for b in form.find_all("button") if b.get("type", "submit") == "submit"]
    assert submits == ["Save stock record"]
    # The page is kept on the phone, and carries the user's sites (whose stock it keeps).
    assert page.one("script", id="js-catalog").text.count("AMS-DCR1") == 1


def test_a_count_is_saved_and_changes_the_stock(app, worker):
    form = stock_form(worker.client, item="syringe_1ml", kind="count", quantity="40", lot="L-7")

    response = worker.client.post(STOCK_PAGE, data=form)

    assert redirected_to(response) == "/field"
    assert "Stock record saved." in flashes(open_page(worker.client, "/field"))
    assert stock_of(worker)["syringe_1ml"] == 40
    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert (movement.kind, movement.quantity, movement.lot) == ("count", 40, "L-7")
        assert str(movement.id) == form["id"][0]
        assert movement.recorded_by.username == worker.username


def test_a_bulk_hand_out_is_saved_and_draws_the_stock(app, worker):
    worker.client.post(STOCK_PAGE, data=stock_form(worker.client, item="condom", quantity="50"))

    response = worker.client.post(
        STOCK_PAGE, data=stock_form(worker.client, item="condom", kind="handed_out", quantity="12")
    )

    assert redirected_to(response) == "/field"
    assert stock_of(worker)["condom"] == 38


def test_the_same_form_sent_twice_is_one_movement(app, worker):
    form = stock_form(worker.client, item="syringe_1ml", kind="handed_out", quantity="5")
    worker.client.post(
        STOCK_PAGE, data=stock_form(worker.client, item="syringe_1ml", quantity="20")
    )

    first = worker.client.post(STOCK_PAGE, data=form)
    again = worker.client.post(STOCK_PAGE, data=form)

    assert redirected_to(first) == redirected_to(again) == "/field"
    assert "This record was already saved." in flashes(open_page(worker.client, "/field"))
    assert count(app, StockMovement) == 2
    assert stock_of(worker)["syringe_1ml"] == 15


def test_every_problem_is_shown_beside_its_field_with_the_typed_values_kept(app, worker):
    form = stock_form(
        worker.client, item="no_such_item", quantity="-3", lot="x" * 41, occurred_at="soon"
    )

    response = worker.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert "The record was not saved." in page.one(class_="form-error", role="alert").text
    assert error_of(page, page.one("select", name="item")) == "Unknown item: no_such_item."
    assert error_of(page, page.one("input", name="quantity")) == "A count is 0 or more."
    assert "40" in error_of(page, page.one("input", name="lot"))
    assert error_of(page, page.one("input", name="occurred_at"))
    assert page.one("input", name="quantity")["value"] == "-3"
    # The same record when it is fixed and sent again.
    assert page.one("input", name="id")["value"] == form["id"][0]
    assert count(app, StockMovement) == 0


@pytest.mark.parametrize("kind", ["received", "adjustment", "disposal", "transfer"])
def test_a_worker_cannot_record_a_delivery_or_other_kinds_through_it(app, worker, kind):
    form = stock_form(worker.client, item="syringe_1ml", kind=kind, quantity="100")

    response = worker.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    [count_choice, _hand_out] = page.find_all("input", name="kind")
    assert "Choose a count or a bulk hand-out." in page.one(class_="field-error").text
    assert "checked" not in count_choice.attrs
    assert count(app, StockMovement) == 0
    assert stock_of(worker).get("syringe_1ml", 0) == 0


def test_a_supervisor_records_no_delivery_here_either(app, login_as):
    """Deliveries are recorded on the supervisors' pages, with their source and expiry."""
    supervisor = login_as("supervisor", sites=("AMS-DCR1",))
    form = stock_form(supervisor.client, item="syringe_1ml", kind="received", quantity="100")

    response = supervisor.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 422
    assert count(app, StockMovement) == 0


def test_a_count_for_another_users_site_is_refused(app, worker, login_as):
    stranger = login_as("worker", sites=("RTM-NSP1",))
    form = stock_form(stranger.client, site="AMS-DCR1", item="syringe_1ml", quantity="9")

    response = stranger.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert error_of(page, page.one("select", name="site"))
    assert count(app, StockMovement) == 0
    assert stock_of(worker).get("syringe_1ml", 0) == 0


def test_form_without_its_token_is_refused(app, worker):
    form = stock_form(worker.client, item="syringe_1ml", quantity="9", csrf_token=None)

    response = worker.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 400
    assert count(app, StockMovement) == 0


def test_a_hand_out_beyond_the_books_is_saved_and_flagged_not_refused(app, worker):
    """A bulk hand-out is never refused: the balance stays 0 and a shortfall is flagged."""
    worker.client.post(STOCK_PAGE, data=stock_form(worker.client, item="foil", quantity="3"))
    form = stock_form(worker.client, item="foil", kind="handed_out", quantity="10")

    assert redirected_to(worker.client.post(STOCK_PAGE, data=form)) == "/field"

    answer = worker.get("/api/v1/stock?site=AMS-DCR1").get_json()
    assert {held["item"]: held["on_hand"] for held in answer["items"]}["foil"] == 0
    assert answer["shortfalls"] == 1


def test_an_id_that_is_not_a_uuid_is_refused_not_an_error(app, worker):
    form = stock_form(worker.client, item="syringe_1ml", quantity="9", id="not-an-id")

    response = worker.client.post(STOCK_PAGE, data=form)

    assert response.status_code == 422
    assert count(app, StockMovement) == 0
    # A fresh id each time the page is opened.
    assert open_page(worker.client, STOCK_PAGE).one("input", name="id")["value"] != str(
        uuid.UUID(int=0)
    )
