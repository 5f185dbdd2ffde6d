"""Sign-in limits: per address (every attempt) and per account name (failures only, a lock),
on both doors, answered with 429 and Retry-After; the lock tells nobody which names exist."""

import pytest

from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD


def api_login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def page_login(client, username, password=PASSWORD, address="10.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_in(client.get("/login", environ_base=environ))
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base=environ,
    )


def retry_after(response) -> int:
    assert response.status_code == 429, response.get_data(as_text=True)
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 15 * 60
    return seconds


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, make_user):
    username = make_user()
    for _attempt in range(5):
        assert api_login(client, username, "wrong password!").status_code == 401

    locked = api_login(client, username)
    retry_after(locked)
    body = locked.get_json()
    assert body["code"] == 429
    assert body["status"] == "Too Many Requests"
    assert "Set-Cookie" not in locked.headers


def test_a_lock_looks_the_same_for_a_name_that_is_no_account(client, make_user):
    username = make_user()
    real = [api_login(client, username, "wrong password!").status_code for _ in range(6)]
    made_up = [api_login(client, "nobody-at-all", "wrong password!").status_code for _ in range(6)]
    assert real == made_up == [401] * 5 + [429]


def test_successful_sign_ins_do_not_count_towards_the_lock(client, make_user):
    username = make_user()
    for _attempt in range(4):
        assert api_login(client, username, "wrong password!").status_code == 401
    for _attempt in range(5):
        assert api_login(client, username).status_code == 200
    assert api_login(client, username, "wrong password!").status_code == 401
    assert api_login(client, username).status_code == 429


def test_the_lock_is_per_account_name_in_any_case(client, make_user):
    locked, other = make_user(), make_user()
    for _attempt in range(5):
        api_login(client, locked.upper(), "wrong password!")
    assert api_login(client, f"  {locked} ").status_code == 429
    assert api_login(client, other).status_code == 200


def test_the_form_and_the_api_share_the_lock(client, make_user):
    username = make_user()
    for _attempt in range(3):
        assert page_login(client, username, "wrong password!").status_code == 401
    for _attempt in range(2):
        assert api_login(client, username, "wrong password!").status_code == 401

    page = page_login(client, username)
    retry_after(page)
    assert page.mimetype == "text/html"
    assert "Too many" in page.get_data(as_text=True)
    retry_after(api_login(client, username))


def test_too_many_attempts_from_one_address_are_refused(app, client, make_user):
    app.config["OUTREACH_LOGIN_LIMIT"] = "3 per minute"
    username = make_user()
    statuses = [api_login(client, username, address="10.0.0.7").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another address is not held up.
    assert api_login(client, username, address="10.0.0.8").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/api/v1/auth/login"])
def test_reading_the_sign_in_page_is_not_limited(app, client, path):
    app.config["OUTREACH_LOGIN_LIMIT"] = "2 per minute"
    if path == "/login":
        statuses = {client.get(path).status_code for _ in range(5)}
        assert statuses == {200}
    else:
        assert client.get(path).status_code == 405
