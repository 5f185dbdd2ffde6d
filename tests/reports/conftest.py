"""Fixtures of the reports' tests (and the exports' and retention's, which share them): the
hand-worked data set of tests/reports/hand_worked.py, and the people who read it."""

from functools import partial

import pytest

from tests.reports.hand_worked import SITES, add_records, built


@pytest.fixture
def build(app):
    """`with build() as b:` a Builder inside an app context; committed at the end, with the
    reports' roll-ups rebuilt (the rows go in directly, not through the services)."""
    return partial(built, app)


@pytest.fixture
def dataset(app, make_user, build):
    """The data set of tests/reports/hand_worked.py. Returns the two workers' usernames."""
    make_user("worker", SITES, username="dcr-worker")
    make_user("worker", SITES, username="street-worker")
    with build() as b:
        add_records(b)
    return {"dcr_worker": "dcr-worker", "street_worker": "street-worker"}


@pytest.fixture
def supervisor(login_as):
    """A supervisor of all three sites, signed in: their reports are the data set's totals."""
    return login_as("supervisor", sites=SITES)


@pytest.fixture
def admin(login_as):
    return login_as("admin", sites=())
