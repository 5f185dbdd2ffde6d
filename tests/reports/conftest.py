"""Fixtures of the reports' tests; the hand-worked data set's (`build`, `dataset`,
`supervisor`) are in tests/conftest.py, shared with the exports' and retention's tests."""

import pytest

import outreach.reports.period as period
from tests.reports.hand_worked import utc


@pytest.fixture
def admin(login_as):
    return login_as("admin", sites=())


@pytest.fixture
def clock(monkeypatch):
    """`clock("2025-11-02T13:00")` stops the report pages' clock (outreach/reports/period.py)
    at that UTC time: which month and year are complete, and which is the one so far."""

    def stop(text: str):
        moment = utc(text)
        monkeypatch.setattr(period, "now", lambda: moment)
        return moment

    return stop
