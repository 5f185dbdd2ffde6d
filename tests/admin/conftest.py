"""Fixtures of the administration tests."""

import pytest

from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD


@pytest.fixture
def admin_page(app, make_user):
    """A test client signed in as an admin through the form; returns (client, username)."""
    username = make_user("admin", sites=())
    client = app.test_client()
    token = csrf_token_in(client.get("/login"))
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client, username


@pytest.fixture
def worker(login_as):
    """A worker of AMS-DCR1 and AMS-OUT1, signed in through the API."""
    return login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))
