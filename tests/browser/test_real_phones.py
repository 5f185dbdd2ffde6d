"""The field app under real thumbs, real clocks and real networks: a double tap, a phone whose
clock is wrong, a record with several problems, a link of one kilobyte a second, an answer that
leaves records out, signing out without signal, and what the status bar says meanwhile."""

import itertools
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.records.models import Contact, Incident, ReferralStatusChange
from tests.browser.conftest import outbox_entries, sync_posts, wait_for_control, wait_until
from tests.browser.test_sync import (
    IS_IDLE,
    SAVE_DIRECTLY,
    SYNC,
    TAKE_SYNC_MODULE,
    expect_all_synced,
    ids_in,
    no_answer,
    open_field_page,
    save_contact,
    sign_in,
    sign_out,
    states,
    status,
    stored,
    wait_until_idle,
    watch_console,
    watch_sync_bodies,
)

CONTACT_FORM = "/field/contacts/new"
INCIDENT_FORM = "/field/incidents/new"
NEXT_TRY = r"next try at \d\d:\d\d$"
# Whether this phone's cache still holds the contact form for offline use.
FORM_KEPT = """async () => {
  for (const name of await caches.keys()) {
    if (await (await caches.open(name)).match('/field/contacts/new')) return true;
  }
  return false;
}"""


def count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def tap_twice(page, locator, gap_ms):
    """Two thumbs on the screen where `locator` is. Unlike a click, a tap does not wait for a
    disabled button to be enabled: it lands, and does whatever the page lets it do."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    if gap_ms:
        page.wait_for_timeout(gap_ms)
    page.touchscreen.tap(x, y)
    # Past the time in which a second tap counts as the same thumb: whatever the taps were going
    # to save is saved by now.
    page.wait_for_timeout(2000 - gap_ms)
    wait_until_idle(page)


def start_sync(page):
    """Start a sync run in the page, without waiting for it to end."""
    page.evaluate(TAKE_SYNC_MODULE)
    page.evaluate("() => { window.testSync.syncNow(); }")


def sync_from_the_test(page, live_server, **records):
    """Send records to the server under the page's sign-in, as another phone would."""
    token = page.request.get(f"{live_server}/api/v1/me").json()["csrf_token"]
    body = {"contacts": [], "incidents": [], "referral_updates": [], **records}
    answer = page.request.post(
        f"{live_server}/api/v1/sync", headers={"X-CSRFToken": token}, data=body
    )
    assert [result["status"] for result in answer.json()["results"]] == ["created"] * sum(
        len(listed) for listed in records.values()
    )


# 1. One tap, one record


@pytest.mark.parametrize("gap_ms", [0, 900], ids=["double-tap", "taps-900-ms-apart"])
def test_two_taps_on_save_contact_store_one_contact(signed_in_page, live_server, app, gap_ms):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    page.get_by_label("Client code").fill("AB12CD")
    page.get_by_role("button", name="Add one Syringe 1 ml").click()

    tap_twice(page, page.get_by_role("button", name="Save contact"), gap_ms)

    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    expect_all_synced(page)
    (entry,) = outbox_entries(page)
    assert stored(app) == {entry["id"]: page.username}
    with app.app_context():
        (contact,) = db.session.execute(select(Contact)).scalars()
        assert [(line.item.code, line.quantity) for line in contact.items] == [("syringe_1ml", 1)]
    # The form is fresh again and takes the next contact at once.
    expect(page.get_by_label("Client code")).to_have_value("")
    page.get_by_label("Client code").fill("EF34GH")
    page.get_by_role("button", name="Save contact").click()
    wait_until(page, "document.querySelector('#f-client_code').value === ''")
    wait_until_idle(page)
    expect_all_synced(page)
    assert count(app, Contact) == 2
    assert problems == []


@pytest.mark.parametrize("gap_ms", [0, 900], ids=["double-tap", "taps-900-ms-apart"])
def test_two_taps_on_save_incident_store_one_incident(signed_in_page, live_server, app, gap_ms):
    page = signed_in_page
    open_field_page(page, f"{live_server}{INCIDENT_FORM}")
    tap_twice(page, page.get_by_role("button", name="Save incident"), gap_ms)
    expect_all_synced(page)
    assert len(outbox_entries(page)) == 1
    assert count(app, Incident) == 1


def test_two_taps_on_save_follow_up_store_one_follow_up(signed_in_page, live_server, app):
    page = signed_in_page
    contact = {
        "id": str(uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "site": "AMS-DCR1",
        "kind": "dcr_visit",
        "referrals": [{"id": str(uuid.uuid4()), "type": "hcv_test", "referred_to": "GGD"}],
    }
    sync_from_the_test(page, live_server, contacts=[contact])
    open_field_page(page, f"{live_server}/field/referrals")
    page.get_by_label("What happened").select_option("attended")
    tap_twice(page, page.get_by_role("button", name="Save follow-up"), 0)
    expect_all_synced(page)
    assert count(app, ReferralStatusChange) == 1


def test_a_form_without_javascript_sent_twice_stores_one_contact(
    browser, phone, live_server, make_user, app
):
    context = browser.new_context(**phone, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, make_user("worker"))
    page.wait_for_url(f"{live_server}/field")
    page.goto(f"{live_server}{CONTACT_FORM}")
    page.get_by_label("Client code").fill("AB12CD")
    page.get_by_label("Syringe 1 ml", exact=True).fill("10")
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.get_by_role("button", name="Save contact").dblclick()
    page.wait_for_url(f"{live_server}/field")
    # The same form again, as a browser resends it after an answer that never came.
    again = page.request.post(
        f"{live_server}{CONTACT_FORM}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data=posted.value.post_data,
    )
    assert again.ok
    assert "This record was already saved." in again.text()  # the page it was sent on to
    assert count(app, Contact) == 1
    context.close()


# 2. A phone whose clock is wrong


def test_a_phone_twenty_minutes_fast_saves_now_and_is_told_once(
    browser, phone, live_server, make_user, app
):
    context = browser.new_context(**phone)
    page = context.new_page()
    page.clock.install(time=datetime.now(UTC) + timedelta(minutes=20))
    page.clock.resume()
    page.username = make_user("worker", sites=("AMS-DCR1",))
    sign_in(page, live_server, page.username)
    page.wait_for_url(f"{live_server}/field")
    problems = watch_console(page)
    open_field_page(page, f"{live_server}{CONTACT_FORM}")

    save_contact(page, "AB12CD")  # at "Now", by this phone's clock
    told = page.get_by_text(
        "This phone's clock is 20 minutes fast. The server corrects the times of its records; "
        "set the clock when you can."
    )
    expect(told).to_be_visible()
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    expect_all_synced(page)
    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        assert abs(contact.occurred_at - datetime.now(UTC)) < timedelta(minutes=2)
        assert -1230 <= contact.clock_correction_seconds <= -1170

    # Said once: the next contacts, also after reloading, are simply saved.
    save_contact(page)
    wait_until_idle(page)
    expect_all_synced(page)
    expect(told).to_have_count(0)
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    save_contact(page)
    wait_until_idle(page)
    expect_all_synced(page)
    expect(page.get_by_text("This phone's clock")).to_have_count(0)
    assert count(app, Contact) == 3
    assert problems == []
    context.close()


# 3. All the reasons at once


def test_a_rejected_record_lists_every_problem(signed_in_page, live_server):
    page = signed_in_page
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    page.get_by_label("Client code").fill("AB")
    page.get_by_label("People", exact=True).fill("3")
    page.get_by_role("button", name="Save contact").click()
    expect(status(page)).to_have_text("1 needs attention")
    page.goto(f"{live_server}/field")
    card = page.locator("#attention-list > li")
    expect(card).to_contain_text("Client code: A client code needs at least 4 letters or digits.")
    expect(card).to_contain_text(
        "Client code: A group contact counts anonymous people: leave the client code empty."
    )


# 4. Very slow links


def test_a_hundred_records_arrive_over_one_kilobyte_a_second(signed_in_page, live_server, app):
    page = signed_in_page
    problems = watch_console(page)
    bodies = watch_sync_bodies(page)
    open_field_page(page, f"{live_server}/field")
    ids = page.evaluate(SAVE_DIRECTLY, [100, page.username, True])
    records = [{"id": entry["id"], "sealed": entry["sealed"]} for entry in outbox_entries(page)]
    assert len(json.dumps({"contacts": records})) > 40_000  # 40 s of upload: over 30 s

    link = page.context.new_cdp_session(page)
    link.send("Network.enable")
    link.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": 1024, "uploadThroughput": 1024},
    )
    start_sync(page)
    deadline = time.monotonic() + 180
    while count(app, Contact) < 100:
        assert time.monotonic() < deadline, f"{count(app, Contact)} of 100 stored"
        page.wait_for_timeout(1000)
    page.wait_for_function(IS_IDLE, polling=200, timeout=60_000)
    link.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert stored(app) == dict.fromkeys(ids, page.username)
    assert set(states(page).values()) == {"synced"}
    # Each record went up once: nothing timed out and was sent again.
    assert sorted(ids_in(bodies)) == sorted(ids)
    assert problems == []


def test_a_batch_that_times_out_halves_the_next_and_success_grows_it_back(
    browser, phone, live_server, make_user, app
):
    """A link on which requests of more than 25 records never get an answer: the phone's clock
    is moved on past each timeout, and the batches shrink until they pass."""
    context = browser.new_context(**phone)
    page = context.new_page()
    page.clock.install()
    page.username = make_user("worker", sites=("AMS-DCR1",))
    sign_in(page, live_server, page.username)
    page.wait_for_url(f"{live_server}/field")
    open_field_page(page, f"{live_server}/field")
    sizes, held = [], []

    def narrow_link(route):
        size = len(route.request.post_data_json["contacts"])
        sizes.append(size)
        if size > 25:
            held.append(size)  # never answered
        else:
            route.continue_()

    page.route(SYNC, narrow_link)
    ids = page.evaluate(SAVE_DIRECTLY, [60, page.username, True])
    start_sync(page)
    deadline = time.monotonic() + 60
    while count(app, Contact) < 60:
        assert time.monotonic() < deadline, f"sizes {sizes}"
        page.wait_for_timeout(100)
        waiting_for_answer = len(held) and sizes[-1] == held[-1]
        if waiting_for_answer or page.evaluate(IS_IDLE):
            # Past the request's timeout, or the wait before the next try.
            page.clock.fast_forward("05:00")
    assert stored(app) == dict.fromkeys(ids, page.username)
    assert sizes[0] == 60 and held[0] == 60
    for before, after in itertools.pairwise(sizes):
        if before > 25:
            assert after <= before // 2, sizes  # a timeout halves the next batch
    # A batch answered quickly lets the next one grow again.
    assert any(after > before for before, after in itertools.pairwise(sizes)), sizes
    context.close()


# 5. A 200 answer that leaves records out


def test_an_answer_that_leaves_a_record_out_stops_the_run(
    signed_in_page, live_server, app, requests_seen
):
    page = signed_in_page
    problems = watch_console(page)
    open_field_page(page, f"{live_server}/field")

    def leave_the_first_out(route):
        response = route.fetch()
        answer = response.json()
        answer["results"] = answer["results"][1:]
        route.fulfill(response=response, json=answer)

    page.route(SYNC, leave_the_first_out)
    ids = page.evaluate(SAVE_DIRECTLY, [3, page.username])
    posts_before = len(sync_posts(requests_seen))
    page.get_by_role("button", name="Sync now").click()
    expect(status(page)).to_have_text(
        re.compile(rf"^1 waiting to sync · the server's answer left out 1 record; {NEXT_TRY}")
    )
    page.wait_for_timeout(1000)
    # One request, not the same batch again and again.
    assert len(sync_posts(requests_seen)) == posts_before + 1
    assert sorted(states(page).values()) == ["pending", "synced", "synced"]
    assert set(stored(app)) == set(ids)  # the server has all three

    page.unroute(SYNC)
    page.get_by_role("button", name="Sync now").click()
    expect_all_synced(page)
    assert set(states(page).values()) == {"synced"}
    assert problems == []


# 6. Signing out without signal


def test_signing_out_without_signal_keeps_the_pages_until_the_server_confirms(
    signed_in_page, live_server
):
    page = signed_in_page
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    wait_for_control(page)
    wait_until(page, f"({FORM_KEPT})()")
    page.goto(f"{live_server}/logout")

    page.context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    alert = page.locator("#sign-out-offline")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("No signal: you are still signed in.")
    assert page.url == f"{live_server}/logout"
    assert page.evaluate(FORM_KEPT)
    # The form still opens without signal.
    page.goto(f"{live_server}{CONTACT_FORM}")
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()

    # Offered without signal: remove the pages anyway, still signed in.
    page.context.set_offline(False)
    page.goto(f"{live_server}/logout")
    page.context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Remove the field pages from this phone now").click()
    expect(page.get_by_text("The field pages are removed from this phone.")).to_be_visible()
    assert not page.evaluate(FORM_KEPT)
    page.context.set_offline(False)
    page.goto(f"{live_server}/field")
    expect(page.get_by_role("link", name="New contact")).to_be_visible()  # still signed in

    # With signal: signed out on the server, and only then the pages are gone.
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    wait_until(page, f"({FORM_KEPT})()")
    sign_out(page, live_server)
    assert not page.evaluate(FORM_KEPT)
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(f"{live_server}{CONTACT_FORM}")
    page.context.set_offline(False)


# 7. What the bar says


def test_a_record_refused_for_its_time_never_leaves_the_bar_at_all_synced(
    signed_in_page, live_server
):
    page = signed_in_page
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    page.get_by_label("Time").fill("2031-01-01T10:00")
    page.get_by_role("button", name="Save contact").click()
    expect(status(page)).to_have_text("1 needs attention")
    expect(status(page)).to_have_attribute("data-state", "problem")
    page.goto(f"{live_server}/field")
    expect(status(page)).to_have_text("1 needs attention")


def test_a_record_saved_in_another_tab_counts_at_once(signed_in_page, live_server):
    first = signed_in_page
    second = first.context.new_page()
    open_field_page(first, f"{live_server}/field")
    open_field_page(second, f"{live_server}{CONTACT_FORM}")
    first.context.route(SYNC, lambda route: route.abort())
    save_contact(second)
    expect(status(second)).to_have_text(no_answer(1))
    # The first tab did nothing: the outbox told it.
    expect(status(first)).to_contain_text("1 waiting to sync")


def test_a_server_error_says_so_and_when_it_tries_again(signed_in_page, live_server):
    page = signed_in_page
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    page.route(
        SYNC,
        lambda route: route.fulfill(status=503, content_type="text/html", body="<h1>503</h1>"),
    )
    save_contact(page)
    shown = re.compile(
        r"^1 waiting to sync · the server could not take them \(error 503\); next try at "
        r"(\d\d):(\d\d)$"
    )
    expect(status(page)).to_have_text(shown)
    hours, minutes = shown.match(status(page).inner_text()).groups()
    # 15 s after the failure, by the phone's clock (the browser's time zone is the machine's).
    soon = datetime.now().astimezone() + timedelta(seconds=15)
    assert (int(hours), int(minutes)) in {
        (moment.hour, moment.minute) for moment in (soon, soon - timedelta(minutes=1))
    }


def test_a_record_of_a_user_signed_out_in_another_tab_says_why_it_waits(
    signed_in_page, live_server, make_user
):
    page = signed_in_page
    alice = page.username
    open_field_page(page, f"{live_server}{CONTACT_FORM}")
    page.route(SYNC, lambda route: route.abort())
    save_contact(page)
    expect(status(page)).to_have_text(no_answer(1))

    bob = make_user("worker", sites=("AMS-DCR1",))
    other = page.context.new_page()
    sign_out(other, live_server)
    sign_in(other, live_server, bob)
    other.wait_for_url(f"{live_server}/field")
    other.close()

    page.unroute(SYNC)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-alert")).to_have_text(
        f"{bob} is signed in on this phone now: the record {alice} made waits until {alice} "
        "signs in again."
    )
    expect(status(page)).to_have_text("1 waiting to sync")
    wait_until_idle(page)
    assert len(outbox_entries(page)) == 1
