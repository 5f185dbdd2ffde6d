"""A lost phone gives nothing away (issue 16): the phone seals each record to the server's key
the moment it is saved, keeps readable only what it needs to manage its outbox, and asks the
server to open a rejected record to fix it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.clients.service import client_key
from outreach.extensions import db
from outreach.records.models import Contact
from tests.browser.conftest import outbox_entries, wait_for_control, wait_until, wait_until_synced
from tests.browser.test_accessibility import _axe_available, axe_problems_here  # noqa: F401
from tests.browser.test_sync import (
    SYNC,
    open_field_page,
    sign_in,
    stored,
    wait_until_idle,
    watch_console,
    watch_sync_bodies,
)

CONTACT_FORM = "/field/contacts/new"
CLIENT_CODE = "ZZSEAL99"
FLAG = ("sex_work", "Sex work")
SUBSTANCES = (("ketamine", "Ketamine"), ("ghb", "GHB"))
ITEM = ("syringe_1ml", "Syringe 1 ml")
# What the outbox may read of an entry: nothing of the record's content.
ENTRY_FIELDS = {
    "id",
    "type",
    "user",
    "state",
    "attempts",
    "lastError",
    "errors",
    "message",
    "createdAt",
    "updatedAt",
    "syncedAt",
    "site",
    "sealed",
}

# Everything a page of this origin can read of what the phone keeps: every IndexedDB database
# and store, every Cache Storage response's text, localStorage and sessionStorage.
READ_ALL_KEPT = """async () => {
  const request = (made) => new Promise((resolve, reject) => {
    made.onsuccess = () => resolve(made.result);
    made.onerror = () => reject(made.error);
  });
  const databases = {};
  for (const { name, version } of await indexedDB.databases()) {
    const db = await request(indexedDB.open(name, version));
    for (const store of db.objectStoreNames) {
      const values = await request(db.transaction(store).objectStore(store).getAll());
      databases[`${name}/${store}`] = JSON.stringify(values);
    }
    db.close();
  }
  const cached = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const key of await cache.keys()) {
      cached[`${name} ${key.url}`] = await (await cache.match(key)).text();
    }
  }
  const storage = (area) => Object.fromEntries(
    [...Array(area.length).keys()].map((i) => [area.key(i), area.getItem(area.key(i))]));
  return {
    indexedDB: databases, caches: cached,
    localStorage: storage(localStorage), sessionStorage: storage(sessionStorage),
  };
}"""

# An entry as the app stored it before records were sealed: the plain record beside it.
PUT_LEGACY_ENTRIES = """async ([user, code]) => {
  const db = await new Promise((resolve, reject) => {
    const made = indexedDB.open('outreach', 1);
    made.onsuccess = () => resolve(made.result);
    made.onerror = () => reject(made.error);
  });
  const now = new Date();
  const entry = (id, state, record) => ({
    id, type: 'contact', record, user, state, attempts: 0, lastError: null, errors: null,
    message: null, createdAt: now.toISOString(), updatedAt: now.toISOString(),
    syncedAt: state === 'synced' ? now.toISOString() : null,
  });
  const record = (id, clientCode) => ({
    id, occurred_at: new Date(now.getTime() - 60000).toISOString(), site: 'AMS-DCR1',
    kind: 'street_outreach', client_code: clientCode, people_count: 1, flags: ['sex_work'],
    substances: ['ketamine'], items: [{ code: 'syringe_1ml', quantity: 3 }], referrals: [],
  });
  const waiting = crypto.randomUUID();
  const receipt = crypto.randomUUID();
  const { client_code: _gone, ...receiptRecord } = record(receipt, null);
  const tx = db.transaction('outbox', 'readwrite');
  tx.objectStore('outbox').put(entry(waiting, 'pending', record(waiting, code)));
  tx.objectStore('outbox').put(entry(receipt, 'synced', receiptRecord));
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
  return [waiting, receipt];
}"""

SYNC_NOW = "async () => (await import('/static/js/sync.js')).syncNow()"


def read_all_kept(page):
    return page.evaluate(READ_ALL_KEPT)


def waiting_total(page):
    """The phone's running total of items waiting per site, for its user."""
    return page.evaluate(
        "(user) => JSON.parse(localStorage.getItem(`outreach.stock-waiting.${user}`) || '{}')",
        page.username,
    )


def fill_sensitive_contact(page):
    page.get_by_label("Site").select_option("AMS-DCR1")
    page.get_by_label("Client code").fill(CLIENT_CODE)
    page.get_by_label(FLAG[1], exact=True).check()
    more = page.locator("details", has=page.locator("summary", has_text="More details"))
    more.evaluate("(details) => { details.open = true; }")
    for _code, label in SUBSTANCES:
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name=f"Add one {ITEM[1]}").click()


def contents(app):
    """What the server stored of each contact, by id."""
    with app.app_context():
        contacts = db.session.execute(select(Contact)).scalars()
        return {
            str(contact.id): (
                contact.site.code,
                contact.client.key if contact.client else None,
                contact.sex_work,
                sorted(substance.substance for substance in contact.substances),
                [(line.item.code, line.quantity) for line in contact.items],
                contact.recorded_by.username,
            )
            for contact in contacts
        }


def test_records_saved_offline_are_kept_only_sealed_and_sync_once(signed_in_page, live_server, app):
    page = signed_in_page
    problems = watch_console(page)
    bodies = watch_sync_bodies(page)
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    page.context.set_offline(True)
    assert page.reload().from_service_worker
    before = read_all_kept(page)

    for waiting in (1, 2):
        fill_sensitive_contact(page)
        page.get_by_role("button", name="Save contact").click()
        expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(f"{waiting} waiting to sync")
        expect(page.get_by_label("Client code")).to_have_value("")

    kept = read_all_kept(page)
    secrets = [CLIENT_CODE, FLAG[0], *(code for code, _label in SUBSTANCES)]
    for name, text in kept["indexedDB"].items():
        for value in [*secrets, ITEM[0]]:
            assert value not in text, f"{value} in IndexedDB {name}"
    for area in ("localStorage", "sessionStorage"):
        for key, text in kept[area].items():
            for value in secrets:
                assert value not in f"{key}={text}", f"{value} in {area} {key}"
            # The item only in the running total of what waits per site, which names no record
            # (and in the site's stock as the server gave it before: all items, unchanged).
            if key != f"outreach.stock-waiting.{page.username}" and text != before[area].get(key):
                assert ITEM[0] not in f"{key}={text}", f"{ITEM[0]} in {area} {key}"
    assert waiting_total(page) == {"AMS-DCR1": {ITEM[0]: 2}}
    # The cached pages name every flag, substance and item of the form (and may have been made
    # afresh meanwhile, with a new CSRF token and record id): saving added none of them.
    for name, text in kept["caches"].items():
        for value in [*secrets, ITEM[0]] if name in before["caches"] else []:
            assert text.count(value) == before["caches"][name].count(value), f"{value} in {name}"
    assert not [name for name, text in kept["caches"].items() if CLIENT_CODE in text]

    entries = outbox_entries(page)
    assert [set(entry) for entry in entries] == [ENTRY_FIELDS, ENTRY_FIELDS]
    assert {(entry["site"], entry["state"]) for entry in entries} == {("AMS-DCR1", "pending")}
    assert all(set(entry["sealed"]) == {"kid", "epk", "iv", "ct"} for entry in entries)
    # One ephemeral key for the records of a page load, a fresh IV for each.
    assert len({entry["sealed"]["epk"] for entry in entries}) == 1
    assert len({entry["sealed"]["iv"] for entry in entries}) == 2
    assert stored(app) == {}

    page.context.set_offline(False)
    wait_until_synced(page, 2)
    wait_until_idle(page)
    with app.app_context():
        key = client_key(CLIENT_CODE)
    expected = ("AMS-DCR1", key, True, ["ghb", "ketamine"], [(ITEM[0], 1)], page.username)
    assert contents(app) == {entry["id"]: expected for entry in entries}
    # Only envelopes went to the server.
    sent = [
        record
        for body in bodies
        for value in body.values()
        if isinstance(value, list)
        for record in value
    ]
    assert sent and all(set(record) == {"id", "sealed"} for record in sent)
    # Synced: the receipts keep nothing of the records, and nothing waits any more.
    after = read_all_kept(page)
    assert all(CLIENT_CODE not in text for text in after["indexedDB"].values())
    assert all(entry["sealed"] is None for entry in outbox_entries(page))
    assert waiting_total(page) == {}
    assert problems == []


def test_a_rejected_sealed_record_is_fixed_through_the_form(
    signed_in_page, live_server, app, requests_seen, artifacts
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    page.get_by_label("Site").select_option("AMS-DCR1")
    page.get_by_label("Client code").fill("zq1")  # too short: the server rejects it
    page.get_by_label(FLAG[1], exact=True).check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_have_text("1 needs attention")
    (entry,) = outbox_entries(page)
    assert (entry["state"], set(entry)) == ("rejected", ENTRY_FIELDS)
    assert entry["sealed"] is not None

    open_field_page(page, f"{live_server}/field")
    card = page.locator(f'[data-entry="{entry["id"]}"]')
    # What the phone can read: the type, the site, when it was saved, the server's message.
    expect(card.get_by_role("heading")).to_have_text(re.compile(r"^Contact · AMS-DCR1 · \S"))
    expect(card).to_contain_text("A client code needs at least 4 letters or digits.")
    assert "zq1" not in card.inner_text().lower()

    # Without a connection the form cannot be filled: it says so and stays a fresh one.
    page.context.set_offline(True)
    card.get_by_role("link", name="Fix").click()
    page.wait_for_url(f"**{CONTACT_FORM}?fix={entry['id']}")
    expect(page.get_by_text("Fixing needs a connection")).to_be_visible()
    page.screenshot(path=str(artifacts / "field-fix-offline-360.png"), full_page=True)
    expect(page.get_by_label("Client code")).to_have_value("")
    expect(page.get_by_role("status")).to_contain_text("1 needs attention")
    assert ("POST", "/api/v1/outbox/open") not in requests_seen

    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_text("Fix the record and save it again.")).to_be_visible()
    expect(page.get_by_label("Client code")).to_have_value("zq1")
    expect(page.get_by_label(FLAG[1], exact=True)).to_be_checked()
    page.get_by_label("Client code").fill(CLIENT_CODE)
    page.get_by_role("button", name="Save contact").click()
    wait_until_synced(page, 1)
    assert "fix=" not in page.url

    with app.app_context():
        key = client_key(CLIENT_CODE)
        opened = db.session.execute(
            select(AuditEvent.target, AuditEvent.actor_name).where(
                AuditEvent.action == "outbox_opened"
            )
        ).all()
    assert contents(app) == {entry["id"]: ("AMS-DCR1", key, True, [], [], page.username)}
    assert [tuple(row) for row in opened] == [(entry["id"], page.username)]
    assert problems == []


def test_records_an_older_app_kept_in_the_clear_are_sealed_at_start(
    signed_in_page, live_server, app
):
    page = signed_in_page
    open_field_page(page, f"{live_server}/field")
    page.route(SYNC, lambda route: route.abort())
    waiting, receipt = page.evaluate(PUT_LEGACY_ENTRIES, [page.username, "ZZOLD123"])

    page.reload()
    wait_until(page, "document.getElementById('sync-status').dataset.state !== undefined")
    wait_until_idle(page)
    entries = {entry["id"]: entry for entry in outbox_entries(page)}
    assert set(entries) == {waiting, receipt}
    assert all(set(entry) == ENTRY_FIELDS for entry in entries.values())
    assert (entries[waiting]["site"], entries[waiting]["state"]) == ("AMS-DCR1", "pending")
    assert entries[waiting]["sealed"] is not None and entries[receipt]["sealed"] is None
    kept = read_all_kept(page)
    assert all("ZZOLD123" not in text for text in kept["indexedDB"].values())
    assert waiting_total(page) == {"AMS-DCR1": {"syringe_1ml": 3}}

    page.unroute(SYNC)
    assert page.evaluate(SYNC_NOW) == "done"
    with app.app_context():
        key = client_key("ZZOLD123")
    assert contents(app) == {
        waiting: ("AMS-DCR1", key, True, ["ketamine"], [("syringe_1ml", 3)], page.username)
    }
    assert waiting_total(page) == {}


def test_without_a_secure_context_the_forms_post_to_the_server(signed_in_page, live_server, app):
    page = signed_in_page
    # Plain HTTP on another host than localhost: WebCrypto is not there, nothing can be sealed.
    page.add_init_script("Object.defineProperty(window, 'isSecureContext', { get: () => false });")
    page.goto(f"{live_server}{CONTACT_FORM}")
    expect(page.get_by_text("saving without signal needs HTTPS")).to_be_visible()
    page.get_by_label("Site").select_option("AMS-DCR1")
    page.get_by_label("Client code").fill(CLIENT_CODE)
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server}/field")
    expect(page.get_by_text("Contact saved.")).to_be_visible()
    assert len(contents(app)) == 1
    assert outbox_entries(page) == []


@pytest.mark.usefixtures("_axe_available")
def test_the_messages_of_sealing_pass_axe(browser, phone, live_server, make_user):
    worker = make_user("worker", sites=("AMS-DCR1",))
    context = browser.new_context(**phone, bypass_csp=True)
    page = context.new_page()
    try:
        page.add_init_script(
            "Object.defineProperty(window, 'isSecureContext', { get: () => false });"
        )
        sign_in(page, live_server, worker)
        page.wait_for_url(f"{live_server}/field")
        page.goto(f"{live_server}{CONTACT_FORM}")
        expect(page.get_by_text("saving without signal needs HTTPS")).to_be_visible()
        # A problem opening a record to fix, shown as such a page shows it.
        page.evaluate(
            """async () => (await import('/static/js/status.js'))
              .say('Fixing needs a connection.', 'error', { add: true })"""
        )
        expect(page.locator(".flash-error")).to_have_text("Fixing needs a connection.")
        problems = axe_problems_here(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
