"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium."""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CI") == "true" or shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-quic"],
    }


@pytest.fixture
def phone(browser_context_args):
    """Context arguments of a cheap phone held upright."""
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def requests_seen():
    """(method, path) of every request the live server received, in order."""
    return []


@pytest.fixture
def live_server(app, requests_seen):
    """The app on a free port of 127.0.0.1; yields its base URL."""

    original = app.wsgi_app

    def recording(environ, start_response):
        requests_seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return original(environ, start_response)

    app.wsgi_app = recording
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.wsgi_app = original


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def signed_in_page(browser, phone, live_server, make_user):
    """A phone-sized page signed in as a new worker of AMS-DCR1 and AMS-OUT1."""
    from tests.conftest import PASSWORD

    username = make_user("worker", sites=("AMS-DCR1", "AMS-OUT1"))
    context = browser.new_context(**phone)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/field")
    page.username = username
    yield page
    context.close()


# True once the service worker controls the page; false if it is activated and still does not,
# which happens to a page that loaded while the first worker was activating: clients.claim()
# skips a page that is not yet ready, so it stays uncontrolled until it is loaded again.
CONTROLLED = """async () => {
  const worker = (await navigator.serviceWorker.ready).active;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    }));
  }
  if (navigator.serviceWorker.controller) return true;
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true));
    setTimeout(() => resolve(Boolean(navigator.serviceWorker.controller)), 1000);
  });
}"""


def wait_for_control(page):
    """Wait until the service worker controls the page (so it can answer offline), loading it
    again if it was missed."""
    if not page.evaluate(CONTROLLED):
        page.reload()
        assert page.evaluate(CONTROLLED)


def outbox_entries(page):
    """The outbox as the page sees it."""
    return page.evaluate("async () => (await import('/static/js/outbox.js')).all()")


def sync_posts(requests_seen):
    return [path for method, path in requests_seen if (method, path) == ("POST", "/api/v1/sync")]


def wait_until(page, expression, timeout=5):
    """Poll `expression` in the page until it is true. (page.wait_for_function polls with eval(),
    which the app's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false: {expression}"
        page.wait_for_timeout(25)


def wait_until_synced(page, count, says="All synced"):
    """The outbox holds `count` records, all synced. The status line alone cannot tell: right
    after a save it still says "All synced" (`says`, in the page's language) from before the
    save."""
    deadline = time.monotonic() + 5
    while (states := [entry["state"] for entry in outbox_entries(page)]) != ["synced"] * count:
        assert time.monotonic() < deadline, f"outbox: {states}"
        page.wait_for_timeout(50)
    expect(page.get_by_role("status")).to_have_text(says)
