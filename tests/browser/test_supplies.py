"""Supplies on the phone: the stock beside each item of the contact form (what the site held at
the last sync, less what waits on the phone), also offline; counts and bulk hand-outs recorded
offline on /field/stock and synced like every other record."""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, Site
from outreach.extensions import db
from outreach.supplies.models import StockMovement
from outreach.supplies.service import set_running_low_levels
from tests.browser.conftest import outbox_entries, wait_for_control, wait_until_synced
from tests.browser.test_accessibility import _axe_available, axe_problems_here  # noqa: F401
from tests.browser.test_sync import open_field_page, sign_in, wait_until_idle, watch_console
from tests.conftest import local_now

SYNC_NOW = "async () => (await import('/static/js/sync.js')).syncNow()"
SYRINGES = "Syringe 1 ml"


def stock_note(page, item_code="syringe_1ml"):
    return page.locator(f"#f-item-{item_code}-stock")


def on_hand(page, live_server, site="AMS-DCR1") -> dict:
    """{item: on hand} as the server answers the phone's user."""
    answer = page.request.get(f"{live_server}/api/v1/stock?site={site}")
    assert answer.ok, answer.text()
    return {held["item"]: held["on_hand"] for held in answer.json()["items"]}


def kept_stock(page) -> dict:
    """What the phone keeps of its user's stock."""
    return page.evaluate(
        "(user) => JSON.parse(localStorage.getItem(`outreach.stock.${user}`) || 'null')",
        page.username,
    )


def record_delivery_on_the_tablet(browser, live_server, make_user, quantity, lot):
    """A supervisor of AMS-DCR1 records a delivery of syringes on the supplies page, on a
    tablet of their own."""
    username = make_user("supervisor", sites=("AMS-DCR1",))
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    tablet = context.new_page()
    try:
        sign_in(tablet, live_server, username)
        tablet.wait_for_url(re.compile(r".*/reports.*|.*/field.*"))
        tablet.goto(f"{live_server}/supplies/new/received?site=AMS-DCR1")
        expect(tablet.get_by_label("Site")).to_have_value("AMS-DCR1")
        tablet.get_by_label("Item").select_option(label=SYRINGES)
        tablet.get_by_label("Quantity").fill(str(quantity))
        tablet.get_by_label("Lot").fill(lot)
        expiry = date.today() + timedelta(days=400)
        tablet.get_by_label("Expiry date").fill(expiry.isoformat())
        tablet.get_by_role("button", name="Save movement").click()
        tablet.wait_for_url(re.compile(r".*/supplies\?site=AMS-DCR1$"))
    finally:
        context.close()


def test_delivery_shows_on_the_phone_after_its_sync_and_less_what_waits_offline(
    browser, signed_in_page, live_server, app, make_user, requests_seen, artifacts
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")
    wait_for_control(page)
    wait_until_idle(page)
    page.get_by_label("Site").select_option("AMS-DCR1")
    # Nothing recorded at the site yet: nothing is said, certainly not "0 in stock".
    expect(stock_note(page)).to_have_count(0)

    record_delivery_on_the_tablet(browser, live_server, make_user, 100, "L-2026-01")
    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert (movement.kind, movement.quantity, movement.lot) == ("received", 100, "L-2026-01")

    # The phone's next sync run (every minute; here at once) brings the stock along.
    assert page.evaluate(SYNC_NOW) == "done"
    expect(stock_note(page)).to_have_text("100 in stock")
    syringes = page.get_by_label(SYRINGES, exact=True)
    # Tied to the item's input, read out with it: a note, not an error.
    expect(syringes).to_have_accessible_description("100 in stock")
    expect(syringes).not_to_have_attribute("aria-invalid", "true")
    assert stock_note(page).get_attribute("role") is None
    # Another site: nothing known there.
    page.get_by_label("Site").select_option("AMS-OUT1")
    expect(stock_note(page)).to_be_hidden()
    expect(syringes).to_have_accessible_description("")
    page.get_by_label("Site").select_option("AMS-DCR1")
    expect(stock_note(page)).to_have_text("100 in stock")

    # Offline, a contact hands out 30 of them: the form counts them off at once.
    page.context.set_offline(True)
    page.get_by_role("button", name=f"Add one {SYRINGES}").click()
    page.get_by_label(SYRINGES, exact=True).fill("30")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 waiting to sync")
    expect(stock_note(page)).to_have_text("70 in stock")
    # The same from what the phone keeps, when the page is opened again without signal.
    response = page.reload()
    assert response.from_service_worker
    expect(page.get_by_label("Site")).to_have_value("AMS-DCR1")
    expect(stock_note(page)).to_have_text("70 in stock")
    assert kept_stock(page)["AMS-DCR1"]["items"]["syringe_1ml"][0] == 100

    # Meanwhile a supervisor says the site runs low at 80.
    with app.app_context():
        supervisor = db.session.execute(select(User).where(User.role == "supervisor")).scalar_one()
        site = db.session.execute(select(Site).where(Site.code == "AMS-DCR1")).scalar_one()
        item = db.session.execute(
            select(EquipmentItem).where(EquipmentItem.code == "syringe_1ml")
        ).scalar_one()
        set_running_low_levels(supervisor, site, {item.id: 80})
        db.session.commit()

    # Back online: the contact syncs and the phone asks for the stock again, now the server's.
    page.context.set_offline(False)
    wait_until_synced(page, 1)
    wait_until_idle(page)
    expect(stock_note(page)).to_have_text("70 in stock, running low")
    expect(stock_note(page)).to_have_class(re.compile(r"\blow\b"))
    page.get_by_label(SYRINGES, exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "contact-form-stock.png"))
    assert on_hand(page, live_server)["syringe_1ml"] == 70
    assert kept_stock(page)["AMS-DCR1"]["items"]["syringe_1ml"] == [70, 80]
    # The synced contact is not counted off a second time.
    assert page.evaluate(SYNC_NOW) == "done"
    expect(stock_note(page)).to_have_text("70 in stock, running low")
    assert ("GET", "/api/v1/stock") in requests_seen
    assert problems == []


def test_a_count_recorded_offline_on_the_stock_page_syncs(
    signed_in_page, live_server, app, artifacts
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field")
    page.get_by_role("link", name="Stock count or bulk hand-out").click()
    page.wait_for_url(f"{live_server}/field/stock")
    wait_for_control(page)
    wait_until_idle(page)
    page.context.set_offline(True)

    response = page.reload()
    assert response.from_service_worker
    page.get_by_label("Site").select_option("AMS-DCR1")
    page.get_by_label("Item").select_option(label=SYRINGES)
    expect(page.get_by_label("Count", exact=True)).to_be_checked()
    page.get_by_label("Quantity").fill("42")
    page.screenshot(path=str(artifacts / "field-stock-360.png"), full_page=True)
    page.get_by_role("button", name="Save stock record").click()
    expect(page.get_by_text("Stock record saved on this phone.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 waiting to sync")
    # The form is ready for the next one.
    expect(page.get_by_label("Quantity")).to_have_value("")
    [entry] = outbox_entries(page)
    assert entry["type"] == "stock_movement"
    # Sealed: the phone reads only its site (the content is checked on the server below).
    assert (entry["site"], "record" in entry, sorted(entry["sealed"])) == (
        "AMS-DCR1",
        False,
        ["ct", "epk", "iv", "kid"],
    )
    with app.app_context():
        assert db.session.execute(select(StockMovement)).first() is None

    page.context.set_offline(False)
    wait_until_synced(page, 1)
    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert str(movement.id) == entry["id"]
        assert (movement.kind, movement.quantity, movement.recorded_by.username) == (
            "count",
            42,
            page.username,
        )
    assert on_hand(page, live_server)["syringe_1ml"] == 42
    assert problems == []


def test_a_rejected_stock_record_needs_attention_and_is_fixed_on_the_stock_page(
    signed_in_page, live_server, app
):
    page = signed_in_page
    open_field_page(page, f"{live_server}/field")
    # A record a worker may not make (a delivery), as an older or tampered page might save it.
    record_id = page.evaluate(
        """async (user) => {
          const outbox = await import('/static/js/outbox.js');
          const record = {
            id: crypto.randomUUID(), occurred_at: new Date(Date.now() - 60000).toISOString(),
            site: 'AMS-DCR1', item: 'syringe_1ml', kind: 'received', quantity: 500,
          };
          await outbox.save('stock_movement', record, user);
          return record.id;
        }""",
        page.username,
    )
    assert page.evaluate(SYNC_NOW) == "done"

    attention = page.locator(f'[data-entry="{record_id}"]')
    expect(attention).to_contain_text("Stock")
    expect(attention).to_contain_text(
        "Kind: Only supervisors and administrators record this kind of movement."
    )
    expect(page.get_by_role("status")).to_have_text("1 needs attention")

    attention.get_by_role("link", name="Fix").click()
    page.wait_for_url(re.compile(r".*/field/stock\?fix="))
    expect(page.get_by_label("Quantity")).to_have_value("500")
    expect(page.get_by_label("Item")).to_have_value("syringe_1ml")
    page.get_by_label("Bulk hand-out").check()
    page.get_by_label("Quantity").fill("50")
    page.get_by_role("button", name="Save stock record").click()
    expect(page.get_by_text("Stock record saved on this phone.")).to_be_visible()
    wait_until_synced(page, 1)
    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert (str(movement.id), movement.kind, movement.quantity) == (
            record_id,
            "handed_out",
            50,
        )


@pytest.mark.usefixtures("_axe_available")
def test_the_contact_form_with_stock_shown_passes_axe(
    browser, phone, live_server, login_as, make_user
):
    supervisor = login_as("supervisor", sites=("AMS-DCR1",))
    delivery = {
        "id": str(uuid.uuid4()),
        "occurred_at": local_now(5).isoformat(),
        "site": "AMS-DCR1",
        "item": "naloxone_kit",
        "kind": "received",
        "quantity": 4,
    }
    answer = supervisor.post("/api/v1/sync", json={"stock_movements": [delivery]}).get_json()
    assert [result["status"] for result in answer["results"]] == ["created"]
    worker = make_user("worker", sites=("AMS-DCR1",))
    context = browser.new_context(**phone, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, worker)
        page.wait_for_url(f"{live_server}/field")
        page.goto(f"{live_server}/field/contacts/new")
        expect(stock_note(page, "naloxone_kit")).to_have_text("4 in stock")
        problems = axe_problems_here(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
