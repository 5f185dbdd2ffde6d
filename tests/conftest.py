"""Fixtures: the app on SQLite (or PostgreSQL, OUTREACH_TEST_DATABASE_URL), clients, factories."""

import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, delete, text
from werkzeug.security import generate_password_hash

from outreach import create_app
from outreach.auth import service as auth_service
from outreach.auth.service import create_user
from outreach.catalog.defaults import seed_catalog
from outreach.catalog.models import Site
from outreach.demo import INJECTING_PACK
from outreach.extensions import db, limiter
from tests.reports.hand_worked import SITES, add_records, built

PASSWORD = "correct horse battery"
DATABASE_URL = os.environ.get("OUTREACH_TEST_DATABASE_URL", "")
ON_POSTGRESQL = DATABASE_URL.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """In CI, a test that needs PostgreSQL or Chromium fails instead of skipping."""
    if os.environ.get("CI") == "true":
        return
    if not ON_POSTGRESQL:
        skip = pytest.mark.skip(reason="needs PostgreSQL: set OUTREACH_TEST_DATABASE_URL")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if DATABASE_URL:
        with postgresql_schema(f"test_{os.getpid()}") as url:
            yield url
        return
    # A file, not :memory:, so threads and the browser tests' server share one database.
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@contextmanager
def postgresql_schema(name: str):
    """A PostgreSQL schema of its own for a test run, so runs side by side never meet; yields
    the database URL that works in it."""
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in DATABASE_URL else "?"
    try:
        yield f"{DATABASE_URL}{separator}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes():
    """Cheap hashes for test users (scrypt costs 0.15 s each); tests check who gets in.

    Not through `monkeypatch`: that would be set up before `app` and undone after it, so a test's
    own monkeypatching would outlive the app's clean-up.
    """
    quick = partial(generate_password_hash, method="pbkdf2:sha256:1")
    with mock.patch.object(auth_service, "generate_password_hash", quick):
        yield


@pytest.fixture(scope="module")
def _module_app(_schema, database_url):
    """One app per test module: building the app and its OpenAPI document takes a while."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_module_app):
    """The app with the default catalog and three sites; every row is deleted and the config
    restored afterwards."""
    app = _module_app
    config = dict(app.config)
    with app.app_context():
        seed_catalog()
        db.session.add_all(
            [
                Site(
                    code="AMS-DCR1",
                    name_en="DCR Amsterdam",
                    name_nl="Gebruiksruimte Amsterdam",
                    kind="dcr",
                    city="Amsterdam",
                ),
                Site(
                    code="AMS-OUT1",
                    name_en="Street team",
                    name_nl="Veldwerkteam",
                    kind="outreach",
                    city="Amsterdam",
                    usual_packs=[INJECTING_PACK],
                ),
                Site(
                    code="RTM-NSP1",
                    name_en="Rotterdam NSP",
                    name_nl="Spuitomruil Rotterdam",
                    kind="pharmacy",
                    city="Rotterdam",
                ),
            ]
        )
        db.session.commit()
    yield app
    limiter.reset()  # sign-in counters start afresh in every test
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()
    app.config.clear()
    app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """`make_user("worker", sites=["AMS-DCR1"])` creates a user whose password is PASSWORD."""

    def make(role="worker", sites=("AMS-DCR1",), username=None, active=True):
        with app.app_context():
            user = create_user(
                username or f"{role}-{uuid.uuid4().hex[:6]}", PASSWORD, role, list(sites)
            )
            user.active = active
            db.session.commit()
            return user.username

    return make


class ApiClient:
    """A test client signed in through the JSON API, sending the CSRF token it was given."""

    def __init__(self, client, username, password=PASSWORD):
        self.client = client
        self.username = username
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        self.csrf_token = response.get_json()["csrf_token"]

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token, **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)

    def sync(self, contacts=(), incidents=(), referral_updates=()):
        body = {
            "contacts": list(contacts),
            "incidents": list(incidents),
            "referral_updates": list(referral_updates),
        }
        return self.post("/api/v1/sync", json=body)


@pytest.fixture
def login_as(app, make_user):
    """`login_as("worker")` returns an ApiClient for a new user of that role (AMS-DCR1)."""

    def login(role="worker", sites=("AMS-DCR1",), username=None):
        username = username or make_user(role, sites)
        return ApiClient(app.test_client(), username)

    return login


def local_now(minutes_ago=0):
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).astimezone(
        ZoneInfo("Europe/Amsterdam")
    )


@pytest.fixture
def make_contact():
    """A valid contact as a device sends it; keyword arguments override its fields."""

    def make(**fields):
        contact = {
            "id": str(uuid.uuid4()),
            "occurred_at": local_now(5).isoformat(),
            "site": "AMS-DCR1",
            "kind": "dcr_visit",
            "client_code": "JADE0101M",
            "people_count": 1,
            "gender": "f",
            "birth_year": 1980,
            "flags": ["injects"],
            "substances": ["heroin"],
            "route": "inject",
            "items": [{"code": "syringe_1ml", "quantity": 20}, {"code": "swab", "quantity": 20}],
            "returned_syringes": 15,
            "referrals": [{"id": str(uuid.uuid4()), "type": "hcv_test", "referred_to": "GGD"}],
        }
        contact.update(fields)
        return contact

    return make


@pytest.fixture
def make_incident():
    def make(**fields):
        incident = {
            "id": str(uuid.uuid4()),
            "occurred_at": local_now(10).isoformat(),
            "site": "AMS-DCR1",
            "kind": "opioid_overdose",
            "naloxone_doses": 2,
            "ambulance_called": True,
            "outcome": "hospital",
        }
        incident.update(fields)
        return incident

    return make


# The reports' hand-worked data set (tests/reports/hand_worked.py), which the reports', exports'
# and retention's tests share.


@pytest.fixture
def build(app):
    """`with build() as b:` a Builder inside an app context; committed at the end, with the
    reports' roll-ups rebuilt (the rows go in directly, not through the services)."""
    return partial(built, app)


@pytest.fixture
def dataset(app, make_user, build):
    """The hand-worked data set. Returns the two workers' usernames."""
    make_user("worker", SITES, username="dcr-worker")
    make_user("worker", SITES, username="street-worker")
    with build() as b:
        add_records(b)
    return {"dcr_worker": "dcr-worker", "street_worker": "street-worker"}


@pytest.fixture
def supervisor(login_as):
    """A supervisor of the data set's three sites, signed in: their reports are its totals."""
    return login_as("supervisor", sites=SITES)
