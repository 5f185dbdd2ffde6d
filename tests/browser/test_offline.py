"""Offline use: the shell loads without network, records wait in the outbox and sync once."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.records.models import Contact
from tests.browser.conftest import outbox_entries, sync_posts, wait_for_control


def count_contacts(app):
    with app.app_context():
        return db.session.execute(select(func.count(Contact.id))).scalar_one()


def save_contact(page, code=None):
    if code:
        page.get_by_label("Client code").fill(code)
    page.get_by_role("button", name="Add one Syringe 1 ml").click()
    page.get_by_role("button", name="Save contact").click()


def test_offline_contacts_wait_then_sync_exactly_once(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    page.goto(f"{live_server}/field/contacts/new")
    wait_for_control(page)
    page.context.set_offline(True)

    response = page.reload()
    assert response.from_service_worker
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()
    posts_before = len(sync_posts(requests_seen))
    save_contact(page, "AB12CD")
    expect(page.get_by_role("status")).to_contain_text("1 waiting to sync")
    save_contact(page)
    expect(page.get_by_role("status")).to_contain_text("2 waiting to sync")
    assert len(sync_posts(requests_seen)) == posts_before
    assert count_contacts(app) == 0
    assert {entry["state"] for entry in outbox_entries(page)} == {"pending"}

    page.context.set_offline(False)
    expect(page.get_by_role("status")).to_have_text("All synced")
    assert count_contacts(app) == 2
    entries = outbox_entries(page)
    assert [entry["state"] for entry in entries] == ["synced", "synced"]
    # Receipts keep nothing of the record, not even sealed.
    assert all("record" not in entry and entry["sealed"] is None for entry in entries)
