"""Fixtures of the sync tests: row counts, a signed-in worker, users for service calls."""

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from outreach.auth.service import find_user
from outreach.extensions import db
from tests.sync.helpers import COUNTED


@pytest.fixture
def count_rows(app):
    """`count_rows()` -> rows in each table a sync writes, e.g. {"contacts": 2, ...}."""

    def count() -> dict[str, int]:
        with app.app_context():
            return {
                name: db.session.execute(select(func.count()).select_from(model)).scalar_one()
                for name, model in COUNTED.items()
            }

    return count


@pytest.fixture
def worker(login_as):
    """A worker of AMS-DCR1, signed in through the API."""
    return login_as("worker")


@pytest.fixture
def as_user(app):
    """`with as_user(username) as user:` the User, inside a request context, for service calls.

    A request context, not only an app context: messages are translated for the request's locale.
    """

    @contextmanager
    def enter(username):
        with app.test_request_context():
            yield find_user(username)

    return enter
