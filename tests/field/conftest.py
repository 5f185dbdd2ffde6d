"""Fixtures for the field pages, used as a browser without JavaScript uses them."""

import pytest


@pytest.fixture
def worker(login_as):
    """A worker of AMS-DCR1, signed in; `worker.client` browses the pages with that session."""
    return login_as("worker", sites=("AMS-DCR1",))
