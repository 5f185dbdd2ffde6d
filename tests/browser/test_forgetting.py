"""A phone that forgets: the field pages it keeps for offline use carry no client aliases or
organisations, and they go at the first answer that says the session is over."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from outreach.auth.service import find_user, revoke_sessions
from outreach.extensions import db
from tests.browser.conftest import wait_for_control
from tests.browser.test_sync import TAKE_SYNC_MODULE, open_field_page

KEPT = (
    "/field",
    "/field/contacts/new",
    "/field/incidents/new",
    "/field/referrals",
    "/api/v1/catalog",
)
# What this phone's caches hold for a path: its text, or null.
KEPT_TEXT = """async (path) => {
  for (const name of await caches.keys()) {
    const response = await (await caches.open(name)).match(path);
    if (response) return response.text();
  }
  return null;
}"""
ORGANISATION = "Jellinek Polikliniek"


def kept(page, path):
    return page.evaluate(KEPT_TEXT, path)


def wait_until_kept(page, paths, kept_or_not=True):
    """Wait until every path is kept (or, with `kept_or_not` false, none is)."""
    deadline = time.monotonic() + 10
    while any((kept(page, path) is not None) != kept_or_not for path in paths):
        assert time.monotonic() < deadline, {path: kept(page, path) is not None for path in paths}
        page.wait_for_timeout(50)


@pytest.fixture
def referral_with_client(signed_in_page, live_server):
    """A contact of the page's worker with a client code and a referral to an organisation;
    returns the client's alias as the server shows it."""
    page = signed_in_page
    token = page.request.get(f"{live_server}/api/v1/me").json()["csrf_token"]
    contact = {
        "id": str(uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "site": "AMS-DCR1",
        "kind": "dcr_visit",
        "client_code": "JADE0101M",
        "referrals": [{"id": str(uuid.uuid4()), "type": "hcv_test", "referred_to": ORGANISATION}],
    }
    answer = page.request.post(
        f"{live_server}/api/v1/sync",
        headers={"X-CSRFToken": token},
        data={"contacts": [contact]},
    )
    assert answer.json()["results"][0]["status"] == "created"
    referral = page.request.get(f"{live_server}/api/v1/referrals").json()["referrals"][0]
    return referral["client_alias"]


def keep_pages(page, live_server):
    """Open the field pages online, as a worker does, and wait until the phone keeps them all."""
    open_field_page(page, f"{live_server}/field/contacts/new")
    wait_for_control(page)
    for path in ("/field", "/field/referrals"):
        open_field_page(page, f"{live_server}{path}")
    wait_until_kept(page, KEPT)


def test_kept_pages_carry_no_client_aliases_or_organisations(
    signed_in_page, live_server, referral_with_client
):
    page = signed_in_page
    alias = referral_with_client
    keep_pages(page, live_server)
    # Online, the worker sees whom and where to.
    card = page.locator(".card").first
    expect(card).to_contain_text(alias)
    expect(card).to_contain_text(ORGANISATION)
    # The copies kept on the phone do not.
    for path in ("/field", "/field/referrals"):
        text = kept(page, path)
        assert "HCV test" in text
        assert alias not in text
        assert ORGANISATION not in text
    # Offline, the follow-up still works from the kept copy.
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("button", name="Save follow-up")).to_be_visible()
    expect(page.get_by_text("Without signal this list leaves out client aliases")).to_be_visible()
    assert alias not in page.content()
    page.context.set_offline(False)


@pytest.mark.parametrize("first_answer", ["sync", "page"])
def test_a_revoked_phone_forgets_its_pages_at_the_first_answer_that_says_so(
    signed_in_page, live_server, app, referral_with_client, first_answer
):
    page = signed_in_page
    keep_pages(page, live_server)
    with app.test_request_context():
        revoke_sessions(find_user(page.username), actor=None)  # a lost phone, signed out
        db.session.commit()

    if first_answer == "sync":
        # The next sync run's GET /api/v1/me answers 401.
        page.evaluate(TAKE_SYNC_MODULE)
        assert page.evaluate("window.testSync.syncNow()") == "signin"
    else:
        # The next field page opened online is a redirect to sign in.
        page.goto(f"{live_server}/field/referrals")
        page.wait_for_url(f"{live_server}/login?next=/field/referrals")
    wait_until_kept(page, KEPT, kept_or_not=False)

    page.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(f"{live_server}/field/referrals")
    page.context.set_offline(False)
