"""Fixtures for signing in and out through the pages and the JSON API."""

import re

import pytest

from tests.conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_in(response) -> str:
    """The hidden CSRF field of the page's form, as a browser would post it back."""
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "no csrf_token field on the page"
    return match.group(1)


@pytest.fixture
def sign_in_page(client):
    """`sign_in_page(username, password=PASSWORD, remember=False, next=None)`: the HTML form,
    filled in and posted with the token from the page, on the `client` fixture."""

    def sign_in(username, password=PASSWORD, remember=False, next=None):
        query = {"next": next} if next is not None else {}
        token = csrf_token_in(client.get("/login", query_string=query))
        form = {"csrf_token": token, "username": username, "password": password}
        if remember:
            form["remember"] = "on"
        return client.post("/login", query_string=query, data=form)

    return sign_in
