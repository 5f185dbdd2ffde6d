"""The field app as an installed PWA on a phone: installable, rejected records fixed and resent,
updates that lose nothing, fast entry, a layout that fits, persistent storage, a clean console."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.demo import INJECTING_PACK
from outreach.extensions import db
from outreach.records.models import Contact
from tests.browser.conftest import (
    outbox_entries,
    sync_posts,
    wait_for_control,
    wait_until,
    wait_until_synced,
)
from tests.conftest import PASSWORD

SYNC_URL = "**/api/v1/sync"
CONTACT_FORM = "/field/contacts/new"
BACK_15 = "\N{MINUS SIGN}15 min"
CLIENT_CODE_MESSAGE = "A client code needs at least 4 letters or digits."
# The server did not answer (an aborted request) while the phone is online.
NO_ANSWER = re.compile(r"^2 waiting to sync · no answer from the server; next try at \d\d:\d\d$")

WORKER_VERSION = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  navigator.serviceWorker.controller.postMessage({ type: 'version' }, [channel.port2]);
})"""

# Counts calls to navigator.storage.persist(); `persisted()` says no, so the app has to ask.
RECORD_PERSIST = """(() => {
  window.__persistCalls = 0;
  if (!navigator.storage) return;
  const persist = navigator.storage.persist.bind(navigator.storage);
  navigator.storage.persisted = async () => false;
  navigator.storage.persist = () => { window.__persistCalls += 1; return persist(); };
})()"""

# Content-Security-Policy violations, also those Chromium would not log, as console errors.
REPORT_CSP_VIOLATIONS = """document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});"""


def count_contacts(app):
    with app.app_context():
        return db.session.execute(select(func.count(Contact.id))).scalar_one()


def sync_status(page):
    return page.get_by_role("status")


def wait_for_render(page):
    """field.js has wired the page and drawn the status line from the outbox (the template's
    "All synced" is only a default)."""
    expect(sync_status(page)).to_have_attribute("data-state", re.compile(r"\w+"))


def block_sync(page):
    page.route(SYNC_URL, lambda route: route.abort())


def save_contact(page, code=None):
    wait_for_render(page)
    if code is not None:
        page.get_by_label("Client code").fill(code)
    page.get_by_role("button", name="Save contact").click()


def save_rejected_contact(page, live_server):
    """A contact the server rejects (a client code of 3 characters); returns its outbox id."""
    page.goto(f"{live_server}{CONTACT_FORM}")
    save_contact(page, "ab1")
    expect(sync_status(page)).to_have_text("1 needs attention")
    (entry,) = outbox_entries(page)
    assert entry["state"] == "rejected"
    return entry["id"]


def no_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_field_app_is_installable(
    browser_type, browser_type_launch_args, phone, live_server, make_user, tmp_path
):
    # Chromium never offers to install from an incognito profile, which every new_context() is.
    context = browser_type.launch_persistent_context(
        tmp_path / "profile", **browser_type_launch_args, **phone
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        sign_in(page, live_server, make_user("worker", sites=("AMS-DCR1", "AMS-OUT1")))
        check_installable(page, live_server)
    finally:
        context.close()


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/field")


def check_installable(page, live_server):
    wait_for_control(page)
    expect(page.locator("link[rel=manifest]")).to_have_attribute("href", "/manifest.webmanifest")

    client = page.context.new_cdp_session(page)
    manifest = client.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server}/manifest.webmanifest"
    assert manifest["errors"] == []
    assert client.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}


def test_rejected_contact_is_shown_fixed_and_resent(
    signed_in_page, live_server, app, requests_seen, artifacts
):
    page = signed_in_page
    record_id = save_rejected_contact(page, live_server)
    assert count_contacts(app) == 0

    page.goto(f"{live_server}/field")
    attention = page.get_by_role("region", name="Records that need attention")
    expect(attention).to_be_visible()
    expect(attention.get_by_role("listitem").filter(has_text="Contact")).to_have_count(1)
    expect(attention).to_contain_text(CLIENT_CODE_MESSAGE)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "field-attention-360.png"), full_page=True)

    attention.get_by_role("link", name="Fix").click()
    page.wait_for_url(f"**{CONTACT_FORM}?fix={record_id}")
    client_code = page.get_by_label("Client code")
    expect(client_code).to_have_value("ab1")
    expect(page.get_by_text("Fix the record and save it again.")).to_be_visible()
    posts_before = len(sync_posts(requests_seen))
    save_contact(page, "AB12CD")
    expect(sync_status(page)).to_have_text("All synced")
    assert len(sync_posts(requests_seen)) == posts_before + 1
    # The fix left the form: the next contact is a new one.
    expect(client_code).to_have_value("")
    assert "fix=" not in page.url

    with app.app_context():
        (contact,) = db.session.execute(select(Contact)).scalars()
        assert str(contact.id) == record_id
        assert contact.client is not None
    (entry,) = outbox_entries(page)
    assert (entry["id"], entry["state"]) == (record_id, "synced")

    page.goto(f"{live_server}/field")
    wait_for_render(page)
    expect(attention).to_be_hidden()
    expect(page.locator("#attention-list > li")).to_have_count(0)


def test_discarding_a_rejected_record_asks_first(signed_in_page, live_server, app):
    page = signed_in_page
    record_id = save_rejected_contact(page, live_server)
    page.goto(f"{live_server}/field")
    attention = page.get_by_role("region", name="Records that need attention")
    discard = attention.get_by_role("button", name="Discard")
    messages = []

    def answer(accept):
        def handle(dialog):
            messages.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(accept=False))
    discard.click()
    assert messages == ["Discard this record? It will not be sent."]
    expect(attention.get_by_role("listitem").filter(has_text="Contact")).to_have_count(1)
    assert [entry["id"] for entry in outbox_entries(page)] == [record_id]

    page.once("dialog", answer(accept=True))
    discard.click()
    expect(attention).to_be_hidden()
    expect(sync_status(page)).to_have_text("All synced")
    assert outbox_entries(page) == []
    assert len(messages) == 2
    assert count_contacts(app) == 0


def test_update_waits_for_a_clear_form_and_keeps_pending_records(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    page.goto(f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    old_version = page.evaluate(WORKER_VERSION)
    block_sync(page)
    save_contact(page, "AB12CD")
    expect(sync_status(page)).to_contain_text("1 waiting to sync")
    save_contact(page, "EF34GH")
    expect(sync_status(page)).to_contain_text("2 waiting to sync")
    pending = [entry["id"] for entry in outbox_entries(page)]
    assert len(pending) == 2

    new_version = f"test-{uuid.uuid4().hex[:8]}"
    app.config["OUTREACH_APP_VERSION"] = new_version
    page.reload()
    # The sync run of the page load has failed; "Sync now" below starts a run of its own.
    expect(sync_status(page)).to_have_text(NO_ANSWER)
    update = page.get_by_role("button", name="Update available")
    # Chromium looks for a new worker a few seconds after the page has loaded.
    expect(update).to_be_visible(timeout=15_000)
    assert page.evaluate(WORKER_VERSION) == old_version

    # A half-filled form blocks the update: nothing reloads, what was typed stays.
    client_code = page.get_by_label("Client code")
    client_code.fill("XY99")
    page.evaluate("window.__sameDocument = true")
    update.click()
    expect(page.get_by_text("Save or clear the form first, then update.")).to_be_visible()
    assert page.evaluate(
        "async () => Boolean((await navigator.serviceWorker.getRegistration()).waiting)"
    )
    assert page.evaluate("window.__sameDocument") is True
    expect(client_code).to_have_value("XY99")
    assert page.evaluate(WORKER_VERSION) == old_version

    # Cleared again, the form holds nothing to lose, but a sync run still blocks the update.
    client_code.fill("")
    held = []
    page.unroute(SYNC_URL)
    page.route(SYNC_URL, lambda route: held.append(route))
    with page.expect_request(lambda request: request.url.endswith("/api/v1/sync")):
        page.get_by_role("button", name="Sync now").click()
    page.evaluate("async () => { window.sync = await import('/static/js/sync.js'); }")
    assert page.evaluate("window.sync.isRunning()")
    page.evaluate("document.getElementById('js-flash').replaceChildren()")
    update.click()
    expect(page.get_by_text("Save or clear the form first, then update.")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    held[0].abort()
    page.unroute(SYNC_URL)
    block_sync(page)
    wait_until(page, "!window.sync.isRunning()")

    # Nothing to lose and no sync running: the update reloads the page.
    with page.expect_navigation():
        update.click()
    wait_for_control(page)
    assert page.evaluate("window.__sameDocument") is None
    assert page.evaluate(WORKER_VERSION) == new_version
    caches = page.evaluate("caches.keys()")
    assert f"outreach-{new_version}" in caches
    assert f"outreach-{old_version}" not in caches
    expect(update).to_be_hidden()
    expect(sync_status(page)).to_have_text(NO_ANSWER)
    assert [entry["id"] for entry in outbox_entries(page)] == pending
    assert sync_posts(requests_seen) == []

    page.unroute(SYNC_URL)
    page.get_by_role("button", name="Sync now").click()
    expect(sync_status(page)).to_have_text("All synced")
    assert len(sync_posts(requests_seen)) == 1
    with app.app_context():
        stored = db.session.execute(select(Contact.id)).scalars().all()
    assert sorted(str(record_id) for record_id in stored) == sorted(pending)


def test_usual_contact_of_a_returning_client_takes_few_taps(signed_in_page, live_server, app):
    page = signed_in_page
    # The first contact of the shift chooses the site; the form remembers it.
    page.goto(f"{live_server}{CONTACT_FORM}")
    page.get_by_label("Site").select_option("AMS-OUT1")
    save_contact(page, "JADE0101M")
    wait_until_synced(page, 1)

    page.goto(f"{live_server}/field")
    taps = []

    def tap(locator):
        locator.tap()
        taps.append(locator)

    tap(page.get_by_role("link", name="New contact"))
    page.wait_for_url(f"**{CONTACT_FORM}")
    tap(page.get_by_label("Client code"))
    page.keyboard.type("jade0101m")
    tap(page.get_by_role("button", name="Usual pack: Injecting pack"))
    tap(page.get_by_role("button", name="Save contact"))
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    wait_until_synced(page, 2)
    assert len(taps) <= 5

    with app.app_context():
        first, second = db.session.execute(select(Contact).order_by(Contact.received_at)).scalars()
        assert second.site.code == "AMS-OUT1"
        assert second.client_id is not None
        assert second.client_id == first.client_id
        items = {row.item.code: row.quantity for row in second.items}
        assert items == INJECTING_PACK["items"]


def test_time_buttons_move_the_contact_time(signed_in_page, live_server, app):
    page = signed_in_page
    page.goto(f"{live_server}{CONTACT_FORM}")
    time_input = page.get_by_label("Time")
    expect(page.get_by_role("button", name=BACK_15)).to_be_visible()

    def shown():
        return datetime.fromisoformat(time_input.input_value())

    def browser_now():
        return datetime.fromisoformat(
            page.evaluate(
                """() => { const d = new Date();
                return new Date(d.getTime() - d.getTimezoneOffset() * 60000)
                  .toISOString().slice(0, 16); }"""
            )
        )

    time_input.fill("2031-03-05T00:10")
    page.get_by_role("button", name=BACK_15).click()
    assert shown() == datetime(2031, 3, 4, 23, 55)
    page.get_by_role("button", name="Now").click()
    assert abs(shown() - browser_now()) <= timedelta(minutes=1)

    page.get_by_role("button", name=BACK_15).click()
    before = datetime.now(UTC)
    save_contact(page)
    wait_until_synced(page, 1)
    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        ago = before - contact.occurred_at
    assert timedelta(minutes=14) <= ago <= timedelta(minutes=16, seconds=5)


def test_field_pages_fit_a_360_px_phone(signed_in_page, live_server, artifacts):
    page = signed_in_page
    page.goto(f"{live_server}/field")
    wait_for_render(page)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "field-home-360.png"), full_page=True)

    page.goto(f"{live_server}{CONTACT_FORM}")
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()
    assert no_horizontal_scroll(page)
    for section in ("More details", "Referrals"):
        page.locator("summary", has_text=section).click()
    expect(page.get_by_label("Birth year")).to_be_visible()
    expect(page.get_by_label("HCV test")).to_be_visible()
    assert page.evaluate("[...document.querySelectorAll('details')].every((d) => d.open)")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "contact-form-open-360.png"), full_page=True)


def test_persistent_storage_is_asked_after_the_first_save(signed_in_page, live_server):
    page = signed_in_page
    page.add_init_script(RECORD_PERSIST)
    page.goto(f"{live_server}/field")
    wait_for_render(page)
    assert page.evaluate("window.__persistCalls") == 0

    page.goto(f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    wait_for_render(page)
    assert page.evaluate("window.__persistCalls") == 0

    save_contact(page, "AB12CD")
    wait_until(page, "window.__persistCalls > 0")
    wait_until_synced(page, 1)
    save_contact(page, "EF34GH")
    wait_until_synced(page, 2)
    assert page.evaluate("window.__persistCalls") == 1


def test_field_pages_log_no_errors(signed_in_page, live_server):
    page = signed_in_page
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    offline = []
    problems = []

    def on_console(message):
        if message.type != "error":
            return
        if offline and message.text.startswith("Failed to load resource"):
            return
        # A fetch that failed while offline may be reported just after coming back online.
        if message.text.endswith("net::ERR_INTERNET_DISCONNECTED"):
            return
        problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))

    page.goto(f"{live_server}/field")
    wait_for_control(page)
    wait_for_render(page)
    page.goto(f"{live_server}{CONTACT_FORM}")
    wait_for_render(page)
    page.locator("summary", has_text="Referrals").click()
    page.get_by_label("HCV test").check()
    save_contact(page, "AB12CD")
    wait_until_synced(page, 1)

    page.goto(f"{live_server}/field/incidents/new")
    wait_for_render(page)
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text("Incident saved on this phone.")).to_be_visible()
    wait_until_synced(page, 2)

    page.goto(f"{live_server}/field/referrals")
    wait_for_render(page)
    page.get_by_label("What happened").select_option("attended")
    page.get_by_role("button", name="Save follow-up").click()
    expect(page.get_by_text("Follow-up saved on this phone.")).to_be_visible()
    wait_until_synced(page, 3)

    page.goto(f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    offline.append(True)
    page.context.set_offline(True)
    assert page.reload().from_service_worker
    save_contact(page, "EF34GH")
    expect(sync_status(page)).to_contain_text("1 waiting to sync")
    page.context.set_offline(False)
    offline.clear()
    wait_until_synced(page, 4)
    assert problems == []
