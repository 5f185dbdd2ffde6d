"""Sync as a field worker relies on it (DESIGN §8): lost answers, captive portals, an expired
sign-in, two tabs, a shared phone, batches, and a fresh CSRF token for every run."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from tests.browser.conftest import outbox_entries, sync_posts
from tests.conftest import PASSWORD

SYNC = "**/api/v1/sync"
ME = "**/api/v1/me"
# What Chromium logs for an aborted request or a 401: expected here, anything else is a bug.
EXPECTED_CONSOLE = "Failed to load resource"
PORTAL_PAGE = (
    "<!doctype html><html><head><title>CityWiFi</title></head>"
    "<body><h1>Welcome to CityWiFi</h1><a href='/accept'>Accept the terms</a></body></html>"
)

# wait_for_function does not await a promise: take the page's sync module first, then poll.
TAKE_SYNC_MODULE = "async () => { window.testSync = await import('/static/js/sync.js'); }"
IS_IDLE = "() => !window.testSync.isRunning()"

# `count` contacts of `user` straight into the outbox: bare ones, or (`full`) as a worker logs
# them, about 450 bytes each as JSON.
SAVE_DIRECTLY = """async ([count, user, full]) => {
  const outbox = await import('/static/js/outbox.js');
  const occurredAt = new Date(Date.now() - 60000).toISOString();
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const record = {
      id: crypto.randomUUID(), occurred_at: occurredAt, site: 'AMS-DCR1', kind: 'dcr_visit',
      items: [],
    };
    if (full) {
      Object.assign(record, {
        client_code: `CLIENT${String(i).padStart(4, '0')}`, people_count: 1, on_behalf_of: 0,
        gender: 'f', birth_year: 1980, flags: ['injects', 'homeless'],
        substances: ['heroin', 'cocaine'], route: 'inject',
        items: [{ code: 'syringe_1ml', quantity: 10 }, { code: 'needle', quantity: 10 },
          { code: 'swab', quantity: 10 }],
        returned_syringes: 8, returned_estimated: false, naloxone_trained: false,
        referrals: [{ id: crypto.randomUUID(), type: 'hcv_test', referred_to: 'GGD Amsterdam' }],
      });
    }
    await outbox.save('contact', record, user);
    ids.push(record.id);
  }
  return ids;
}"""


def stored(app, model=Contact):
    """{id: username of recorded_by} for every stored row of `model`."""
    with app.app_context():
        rows = db.session.execute(
            select(model.id, User.username).join(User, model.recorded_by_id == User.id)
        ).all()
        return {str(row_id): username for row_id, username in rows}


def watch_console(page):
    """Console errors and uncaught exceptions of `page`, but for expected failed loads."""
    problems = []

    def on_console(message):
        if message.type == "error" and EXPECTED_CONSOLE not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def watch_sync_bodies(target):
    """The JSON body of every POST /api/v1/sync the page (or context) sends, even if aborted."""
    bodies = []

    def on_request(request):
        if request.method == "POST" and request.url.endswith("/api/v1/sync"):
            bodies.append(request.post_data_json)

    target.on("request", on_request)
    return bodies


def watch_sync_answers(target):
    """Every answer to POST /api/v1/sync that reached the page (or context)."""
    answers = []

    def on_response(response):
        if response.request.method == "POST" and response.url.endswith("/api/v1/sync"):
            answers.append(response)

    target.on("response", on_response)
    return answers


def accepted(answers):
    """(records sent, results) of the answers with status 200: what the server took in.

    A 400 for a token gone stale just after signing in is retried once with a fresh token (see
    test_a_token_gone_stale_during_a_run_is_replaced_once), so tests count what was accepted."""
    return [
        (answer.request.post_data_json, answer.json()["results"]) for answer in answers if answer.ok
    ]


def ids_in(bodies):
    return [
        record["id"]
        for body in bodies
        for value in body.values()
        if isinstance(value, list)  # not sent_at
        for record in value
    ]


def wait_until_idle(page):
    """Wait until no sync run is going on in `page`."""
    page.evaluate(TAKE_SYNC_MODULE)
    # Poll on a timer, not on animation frames: a tab in the background gets few of those.
    page.wait_for_function(IS_IDLE, polling=50)


def open_field_page(page, url):
    """Open a field page and wait until the sync run it starts on load is over."""
    with page.expect_response(lambda response: response.url.endswith("/api/v1/me")):
        page.goto(url)
    wait_until_idle(page)


def status(page):
    return page.get_by_role("status")


def no_answer(waiting: int):
    """The status line when the server did not answer (an aborted request) while the phone is
    online: not "offline", and when it tries again."""
    records = "1 waiting" if waiting == 1 else f"{waiting} waiting"
    return re.compile(rf"^{records} to sync · no answer from the server; next try at \d\d:\d\d$")


def expect_all_synced(page):
    """The status says all is synced, as the page's script found it in the outbox.

    The server renders the same words as a placeholder before the script runs; only the
    script sets data-state."""
    expect(status(page)).to_have_attribute("data-state", "ok")
    expect(status(page)).to_have_text("All synced")


def save_and_sync(page):
    """Save a contact online and wait for the answer to its sync."""
    with page.expect_response(SYNC):
        save_contact(page)
    wait_until_idle(page)
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    expect_all_synced(page)


def save_contact(page, code=None):
    if code:
        page.get_by_label("Client code").fill(code)
    page.get_by_role("button", name="Add one Syringe 1 ml").click()
    page.get_by_role("button", name="Save contact").click()


def sign_in(page, live_server, username):
    """Sign in on the sign-in page the browser is on (or opens it)."""
    if "/login" not in page.url:
        page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, live_server):
    page.goto(f"{live_server}/logout")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")


def states(page):
    return {entry["id"]: entry["state"] for entry in outbox_entries(page)}


def test_lost_answer_is_retried_as_duplicate_and_stored_once(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")

    # The server stores the batch, but its answer never reaches the phone.
    lost_answers = []

    def lose_answer(route):
        lost_answers.append(route.fetch().json())
        route.abort()

    page.route(SYNC, lose_answer)
    save_contact(page, "AB12CD")
    expect(status(page)).to_have_text(no_answer(1))
    assert [result["status"] for result in lost_answers[0]["results"]] == ["created"]
    record_id = lost_answers[0]["results"][0]["id"]
    assert stored(app) == {record_id: page.username}
    assert states(page) == {record_id: "pending"}

    page.unroute(SYNC)
    with page.expect_response(SYNC) as retry:
        page.get_by_role("button", name="Sync now").click()
    assert [result["status"] for result in retry.value.json()["results"]] == ["duplicate"]
    expect_all_synced(page)
    assert states(page) == {record_id: "synced"}
    assert stored(app) == {record_id: page.username}
    assert len(lost_answers) == 1
    assert problems == []


@pytest.mark.parametrize(
    ("portal_paths", "shown"),
    [
        (
            (SYNC,),
            re.compile(
                r"^1 waiting to sync · the server's answer was not understood; "
                r"next try at \d\d:\d\d$"
            ),
        ),
        ((ME, SYNC), "1 waiting to sync · offline"),
    ],
    ids=["sync-answered-by-portal", "me-and-sync-answered-by-portal"],
)
def test_captive_portal_page_syncs_nothing(
    signed_in_page, live_server, app, requests_seen, portal_paths, shown
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")
    portal_hits = []

    def portal(route):
        portal_hits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=PORTAL_PAGE)

    for path in portal_paths:
        page.route(path, portal)
    save_contact(page)
    expect(status(page)).to_contain_text("1 waiting to sync")
    wait_until_idle(page)
    expect(status(page)).to_have_text(shown)
    # Answered by the portal, not the server: nothing arrived, nothing is marked synced.
    assert portal_hits
    assert sync_posts(requests_seen) == []
    assert stored(app) == {}
    # A later run (the retry timer) may have begun meanwhile: read the outbox between runs.
    wait_until_idle(page)
    (record_id,) = states(page)
    assert states(page) == {record_id: "pending"}

    for path in portal_paths:
        page.unroute(path)
    page.get_by_role("button", name="Sync now").click()
    expect_all_synced(page)
    assert stored(app) == {record_id: page.username}
    assert states(page) == {record_id: "synced"}
    assert problems == []


def test_expired_sign_in_keeps_the_outbox_and_resumes_after_signing_in(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")
    page.route(SYNC, lambda route: route.abort())
    save_contact(page)
    expect(status(page)).to_have_text(no_answer(1))
    (record_id,) = states(page)

    page.context.clear_cookies()  # the session expires
    page.unroute(SYNC)
    page.get_by_role("button", name="Sync now").click()
    alert = page.locator("#sync-alert")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Sign in again to send the waiting record.")
    expect(status(page)).to_contain_text("1 waiting to sync")
    wait_until_idle(page)
    assert states(page) == {record_id: "pending"}
    assert stored(app) == {}
    assert sync_posts(requests_seen) == []

    alert.get_by_role("link", name="Sign in").click()
    page.wait_for_url(f"{live_server}/login?next=%2Ffield%2Fcontacts%2Fnew")
    sign_in(page, live_server, page.username)
    page.wait_for_url(f"{live_server}/field/contacts/new")
    expect_all_synced(page)
    expect(alert).to_be_hidden()
    assert states(page) == {record_id: "synced"}
    assert stored(app) == {record_id: page.username}
    assert problems == []


def test_two_tabs_syncing_at_once_store_every_record_once(signed_in_page, live_server, app):
    first = signed_in_page
    context = first.context
    second = context.new_page()
    first_problems, second_problems = watch_console(first), watch_console(second)
    answers = watch_sync_answers(context)
    open_field_page(first, f"{live_server}/field/contacts/new")
    open_field_page(second, f"{live_server}/field/incidents/new")

    context.route(SYNC, lambda route: route.abort())
    first.bring_to_front()  # a tab in the background gets few animation frames: slow clicks
    save_contact(first)
    expect(status(first)).to_have_text(no_answer(1))
    save_contact(first)
    expect(status(first)).to_have_text(no_answer(2))
    second.bring_to_front()
    second.get_by_role("button", name="Save incident").click()
    expect(status(second)).to_have_text(no_answer(3))
    second.get_by_role("button", name="Save incident").click()
    expect(status(second)).to_have_text(no_answer(4))
    wait_until_idle(first)
    wait_until_idle(second)
    waiting = states(first)
    assert set(waiting.values()) == {"pending"} and len(waiting) == 4
    context.unroute(SYNC)

    # Both tabs start a sync at the same moment: one message reaches both.
    for page in (first, second):
        page.evaluate(
            """async () => {
              const sync = await import('/static/js/sync.js');
              window.syncOutcome = null;
              window.go = new BroadcastChannel('test-sync-now');
              window.go.onmessage = async () => { window.syncOutcome = await sync.syncNow(); };
            }"""
        )
    first.evaluate("() => new BroadcastChannel('test-sync-now').postMessage('go')")
    for page in (first, second):
        page.wait_for_function("() => window.syncOutcome !== null", polling=50)
        expect_all_synced(page)
    # Whichever tab came second waited for the other's run, then found nothing left to send.
    assert [page.evaluate("window.syncOutcome") for page in (first, second)] == ["done", "done"]

    # Each record went in exactly once, and was created: no duplicate, no conflict.
    taken = accepted(answers)
    assert sorted(ids_in(body for body, _results in taken)) == sorted(waiting)
    assert [result["status"] for _body, results in taken for result in results] == ["created"] * 4
    assert set(states(second).values()) == {"synced"}
    assert stored(app) | stored(app, Incident) == dict.fromkeys(waiting, first.username)
    assert first_problems == second_problems == []


def test_shared_phone_never_sends_a_record_under_another_login(
    signed_in_page, live_server, app, make_user
):
    page = signed_in_page
    alice = page.username
    bob = make_user("worker", sites=("AMS-DCR1",))
    problems = watch_console(page)
    bodies = watch_sync_bodies(page)

    open_field_page(page, f"{live_server}/field/contacts/new")
    page.route(SYNC, lambda route: route.abort())
    save_contact(page, "AB12CD")
    expect(status(page)).to_have_text(no_answer(1))
    (alice_record,) = states(page)
    sign_out(page, live_server)
    page.unroute(SYNC)
    bodies.clear()

    # Bob signs in on the same phone, online: Alice's record waits for Alice.
    sign_in(page, live_server, bob)
    page.wait_for_url(f"{live_server}/field")
    expect_all_synced(page)
    expect(page.locator("#sync-alert")).to_contain_text(
        "1 record of another user waits until they sign in on this phone."
    )
    open_field_page(page, f"{live_server}/field/contacts/new")
    save_and_sync(page)
    (bob_record,) = set(states(page)) - {alice_record}
    assert set(ids_in(bodies)) == {bob_record}
    sent_by_bob = len(bodies)
    assert stored(app) == {bob_record: bob}
    assert states(page)[alice_record] == "pending"
    sign_out(page, live_server)

    sign_in(page, live_server, alice)
    page.wait_for_url(f"{live_server}/field")
    expect_all_synced(page)
    expect(page.locator("#sync-alert")).to_be_hidden()
    assert stored(app) == {alice_record: alice, bob_record: bob}
    assert set(ids_in(bodies[sent_by_bob:])) == {alice_record}
    assert problems == []


def test_a_big_outbox_goes_in_batches_of_at_most_100(signed_in_page, live_server, app):
    page = signed_in_page
    problems = watch_console(page)
    bodies = watch_sync_bodies(page)
    answers = watch_sync_answers(page)
    open_field_page(page, f"{live_server}/field")
    ids = page.evaluate(SAVE_DIRECTLY, [150, page.username])

    assert page.evaluate("async () => (await import('/static/js/sync.js')).syncNow()") == "done"
    expect_all_synced(page)
    assert max(len(ids_in([body])) for body in bodies) == 100
    taken = [body for body, _results in accepted(answers)]
    assert [len(body["contacts"]) for body in taken] == [100, 50]
    assert sorted(ids_in(taken)) == sorted(ids)
    assert stored(app) == dict.fromkeys(ids, page.username)
    assert set(states(page).values()) == {"synced"}
    assert problems == []


def test_every_sync_run_fetches_a_fresh_csrf_token_first(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")
    stale_token = page.locator("input[name=csrf_token]").input_value()
    save_and_sync(page)

    # Signing in again in another tab starts a new session: the token in this page is stale.
    other = page.context.new_page()
    sign_out(other, live_server)
    other.goto(f"{live_server}/login?next=/field/contacts/new")
    sign_in(other, live_server, page.username)
    other.wait_for_url(f"{live_server}/field/contacts/new")
    other.close()
    page.bring_to_front()
    probe_at = len(requests_seen)
    probe = page.request.post(
        f"{live_server}/api/v1/sync",
        headers={"X-CSRFToken": stale_token},
        data={"contacts": [], "incidents": [], "referral_updates": []},
    )
    assert probe.status == 400, probe.text()
    probe_at = requests_seen.index(("POST", "/api/v1/sync"), probe_at)

    save_and_sync(page)
    save_and_sync(page)
    assert len(stored(app)) == 3

    calls = [
        (method, path)
        for index, (method, path) in enumerate(requests_seen)
        if path in ("/api/v1/me", "/api/v1/sync") and index != probe_at
    ]
    posts = [index for index, call in enumerate(calls) if call == ("POST", "/api/v1/sync")]
    assert len(posts) >= 3
    assert all(calls[index - 1] == ("GET", "/api/v1/me") for index in posts)
    assert problems == []


def test_a_token_gone_stale_during_a_run_is_replaced_once(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field/contacts/new")
    stale_posts = []

    def stale_token(route):
        # As if the session changed between GET /api/v1/me and the POST.
        stale_posts.append(route.request.url)
        route.continue_(headers={**route.request.headers, "x-csrftoken": "stale"})

    page.route(SYNC, stale_token)
    save_contact(page)
    expect(status(page)).to_contain_text("1 waiting to sync")
    wait_until_idle(page)
    expect(status(page)).to_have_text(
        re.compile(r"^1 waiting to sync · the server refused them \(error 400\); next try at")
    )
    # One fresh token and one more try, not a loop: the server refused both.
    assert len(stale_posts) == 2
    # (The service worker may fetch /api/v1/catalog meanwhile, to keep the offline pages.)
    runs = [call for call in requests_seen if call[1] in ("/api/v1/me", "/api/v1/sync")]
    assert runs[-4:] == [
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/sync"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/sync"),
    ]
    assert stored(app) == {}
    (record_id,) = states(page)
    assert outbox_entries(page)[0]["lastError"] == "HTTP 400"

    # Only the first token is stale: the same run takes a fresh one and stores the record.
    page.unroute(SYNC)
    page.route(SYNC, stale_token, times=1)
    with page.expect_response(lambda response: response.ok and response.url.endswith("/sync")):
        page.get_by_role("button", name="Sync now").click()
    expect_all_synced(page)
    assert len(stale_posts) == 3
    assert stored(app) == {record_id: page.username}
    assert problems == []
