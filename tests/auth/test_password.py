"""`/account/password`: a user changes their own password; other devices are signed out."""

from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD

NEW = "a brand new street passphrase"


def change(client, current=PASSWORD, password=NEW, repeated=NEW):
    token = csrf_token_in(client.get("/account/password"))
    form = {"csrf_token": token, "current": current, "password": password, "repeated": repeated}
    return client.post("/account/password", data=form)


def signed_in(client) -> bool:
    return client.get("/field").status_code == 200


def test_the_field_home_links_to_the_page(login_as):
    worker = login_as("worker")
    assert 'href="/account/password"' in worker.get("/field").get_data(as_text=True)
    page = worker.get("/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page
    assert 'autocomplete="new-password"' in page


def test_a_new_password_signs_out_the_other_devices_only(app, login_as, sign_in_page):
    worker = login_as("worker")
    other_phone = app.test_client()
    assert (
        other_phone.post(
            "/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD}
        ).status_code
        == 200
    )
    assert signed_in(worker.client) and signed_in(other_phone)

    response = change(worker.client)

    assert response.status_code == 302
    assert signed_in(worker.client)
    assert not signed_in(other_phone)
    old = app.test_client().post(
        "/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD}
    )
    assert old.status_code == 401
    new = app.test_client().post(
        "/api/v1/auth/login", json={"username": worker.username, "password": NEW}
    )
    assert new.status_code == 200
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_name).where(
                AuditEvent.action == "password_changed"
            )
        ).all()
    assert [tuple(event) for event in events] == [("password_changed", worker.username)]


def test_bad_input_is_a_form_error_and_changes_nothing(app, login_as):
    worker = login_as("worker")
    cases = [
        ({"current": "not my password"}, "This is not your current password."),
        ({"repeated": "another passphrase"}, "The two passwords differ."),
        ({"password": "short", "repeated": "short"}, "at least"),
        ({"password": "password123", "repeated": "password123"}, "common"),
    ]
    for fields, message in cases:
        response = change(worker.client, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in page, (fields, page)
        assert "has-error" in page
    still = app.test_client().post(
        "/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD}
    )
    assert still.status_code == 200


def test_guessing_the_current_password_locks_the_account(app, login_as):
    worker = login_as("worker")
    app.config["OUTREACH_LOGIN_FAILURE_LIMIT"] = "3 per 15 minutes"
    statuses = [change(worker.client, current=f"guess {n}").status_code for n in range(4)]
    assert statuses == [422, 422, 422, 429]
    locked = app.test_client().post(
        "/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD}
    )
    assert locked.status_code == 429


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
