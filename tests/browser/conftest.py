"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium."""

import os
import shutil
import threading
from pathlib import Path

import pytest
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


WAIT_FOR_CONTROL = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener(
      'controllerchange', resolve, { once: true }));
  }
}"""


def wait_for_service_worker(page):
    """Wait until the service worker controls the page (so it can answer offline)."""
    page.evaluate(WAIT_FOR_CONTROL)


def outbox_entries(page):
    """The outbox as the page sees it."""
    return page.evaluate("async () => (await import('/static/js/outbox.js')).all()")


def sync_posts(requests_seen):
    return [path for method, path in requests_seen if (method, path) == ("POST", "/api/v1/sync")]
