"""Fixtures of the reports' tests; the hand-worked data set's (`build`, `dataset`,
`supervisor`) are in tests/conftest.py, shared with the exports' and retention's tests."""

import pytest


@pytest.fixture
def admin(login_as):
    return login_as("admin", sites=())
