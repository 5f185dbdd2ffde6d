"""Signing in and out on the HTML pages, and sessions that end at once when revoked."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.auth.service import revoke_sessions, set_active
from outreach.extensions import db
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD

WRONG = "Wrong username or password."


def signed_in(client) -> bool:
    """Whether the client's cookies open the field pages (rather than sending it to /login)."""
    response = client.get("/field")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def location(response) -> str:
    assert response.status_code in (301, 302, 303), response.status_code
    return response.headers["Location"]


def change_user(app, username, change):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        change(user)
        db.session.commit()


def audit_actions(app) -> list[tuple[str, str, str]]:
    """(action, actor, target) of signing in and out (not those of setting the test up)."""
    with app.app_context():
        query = (
            select(AuditEvent)
            .where(AuditEvent.action.not_in(("user_created", "catalog_changed")))
            .order_by(AuditEvent.id)
        )
        events = db.session.execute(query).scalars()
        return [(event.action, event.actor_name, event.target) for event in events]


def test_login_page_has_a_labelled_form_with_a_token(client):
    response = client.get("/login")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<form method="post"' in html
    assert csrf_token_in(response)
    assert '<label for="f-username">Username</label>' in html
    assert '<label for="f-password">Password</label>' in html
    assert 'type="password"' in html
    assert 'name="remember"' in html


def test_sign_in_goes_home_and_opens_the_field_pages(client, make_user, sign_in_page):
    username = make_user("worker")

    response = sign_in_page(username)

    assert location(response) == "/field"
    assert signed_in(client)
    assert location(client.get("/")) == "/field"
    # Signed in, the sign-in page sends you home.
    assert location(client.get("/login")) == "/field"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert location(client.get("/")) == "/login"
    assert not signed_in(client)


def test_sign_in_brings_you_back_to_the_page_you_asked_for(client, make_user, sign_in_page):
    username = make_user("worker")
    asked = location(client.get("/field/referrals"))
    assert urlsplit(asked).path == "/login"

    [next_url] = parse_qs(urlsplit(asked).query)["next"]
    response = sign_in_page(username, next=next_url)

    assert location(response) == "/field/referrals"


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_sends_you_off_site(make_user, sign_in_page, next_url):
    username = make_user("worker")

    target = location(sign_in_page(username, next=next_url))

    parts = urlsplit(target)
    assert not parts.scheme and not parts.netloc, target
    assert target.startswith("/") and not target.startswith("//"), target
    # Browsers read a backslash as a slash: `/\evil` would be `//evil`.
    assert "\\" not in target, target


@pytest.mark.parametrize("who", ["wrong password", "unknown user", "deactivated user"])
def test_failed_sign_in_says_the_same_whatever_went_wrong(client, make_user, sign_in_page, who):
    username = make_user("worker", active=who != "deactivated user")
    if who == "wrong password":
        response = sign_in_page(username, password="not the password")
    elif who == "unknown user":
        response = sign_in_page("nobody-here")
    else:
        response = sign_in_page(username)

    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert f'<p class="form-error" role="alert">{WRONG}</p>' in html
    assert "not the password" not in html
    assert not signed_in(client)


@pytest.mark.parametrize("typed", ["jade\x00", "\x00", "ja\x1bde"])
def test_sign_in_with_control_characters_is_a_plain_failure(app, client, sign_in_page, typed):
    """PostgreSQL refuses NUL in text: what was typed must still fail politely, and be audited."""
    response = sign_in_page(typed)

    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert audit_actions(app) == [("login_failed", "", "unknown")]


def test_username_is_kept_after_a_failed_sign_in(make_user, sign_in_page):
    username = make_user("worker")

    response = sign_in_page(username, password="not the password")

    assert f'value="{username}"' in response.get_data(as_text=True)


def test_username_is_not_case_sensitive(client, make_user, sign_in_page):
    """Phone keyboards capitalise the first letter."""
    make_user("worker", username="jade")

    assert location(sign_in_page("Jade")) == "/field"
    assert signed_in(client)


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_sign_in_without_the_forms_token_is_refused(client, make_user, token):
    username = make_user("worker")
    client.get("/login")
    form = {"username": username, "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token

    response = client.post("/login", data=form)

    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert not signed_in(client)


def test_token_from_before_sign_in_is_not_valid_after(client, make_user):
    """Signing in starts a new session: nothing planted before it carries over."""
    username = make_user("worker")
    before = csrf_token_in(client.get("/login"))
    client.post("/login", data={"csrf_token": before, "username": username, "password": PASSWORD})

    response = client.post("/logout", data={"csrf_token": before})

    assert response.status_code == 400
    assert signed_in(client)


def test_remember_me_sets_a_lasting_cookie_that_signs_you_back_in(client, make_user, sign_in_page):
    username = make_user("worker")

    response = sign_in_page(username, remember=True)

    cookie = next(
        header
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith("remember_token=")
    )
    assert "Expires=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # The browser was closed: the session cookie is gone, the remember cookie is not.
    client.delete_cookie("session")
    assert signed_in(client)


def test_without_remember_me_there_is_no_lasting_cookie(client, make_user, sign_in_page):
    username = make_user("worker")

    response = sign_in_page(username)

    assert not any(
        header.startswith("remember_token=") for header in response.headers.getlist("Set-Cookie")
    )
    client.delete_cookie("session")
    assert not signed_in(client)


def test_logout_page_shows_a_button_and_a_get_does_not_sign_out(client, make_user, sign_in_page):
    sign_in_page(make_user("worker"))

    response = client.get("/logout")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<form method="post"' in html
    assert '<button type="submit" class="primary">Sign out</button>' in html
    assert csrf_token_in(response)
    assert signed_in(client)


def test_logout_page_sends_anonymous_visitors_to_sign_in(client):
    assert location(client.get("/logout")) == "/login"


@pytest.mark.parametrize("remember", [False, True])
def test_posting_the_logout_form_signs_out(app, client, make_user, sign_in_page, remember):
    """Also with "remember me": on a shared phone the next person must not be signed in."""
    username = make_user("worker")
    sign_in_page(username, remember=remember)

    response = client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/logout"))})

    assert location(response) == "/login"
    assert not signed_in(client)
    assert ("logout", username, "") in audit_actions(app)


def test_logout_without_token_is_refused(client, make_user, sign_in_page):
    sign_in_page(make_user("worker"))

    response = client.post("/logout")

    assert response.status_code == 400
    assert signed_in(client)


def test_sign_in_and_failures_are_audited(app, make_user, sign_in_page):
    username = make_user("worker")

    sign_in_page(username, password="not the password")
    sign_in_page(username)

    assert audit_actions(app) == [
        ("login_failed", "", f"user:{username}"),
        ("login", username, ""),
    ]


@pytest.mark.parametrize("remember", [False, True])
def test_deactivated_user_is_signed_out_at_the_next_page(
    app, client, make_user, sign_in_page, remember
):
    username = make_user("worker")
    sign_in_page(username, remember=remember)
    assert signed_in(client)

    change_user(app, username, lambda user: set_active(user, False, actor=None))

    response = client.get("/field/contacts/new")
    assert urlsplit(location(response)).path == "/login"


@pytest.mark.parametrize("remember", [False, True])
def test_revoked_sessions_end_at_the_next_page(app, client, make_user, sign_in_page, remember):
    """A lost phone: bumping the session version ends every session, remembered or not."""
    username = make_user("worker")
    sign_in_page(username, remember=remember)
    assert signed_in(client)

    change_user(app, username, lambda user: revoke_sessions(user, actor=None))

    assert not signed_in(client)
    client.delete_cookie("session")
    assert not signed_in(client)
    # Signing in again works and makes a valid session.
    assert location(sign_in_page(username)) == "/field"
    assert signed_in(client)


def test_revoking_one_user_leaves_others_signed_in(app, make_user):
    first, second = app.test_client(), app.test_client()
    first_name, second_name = make_user("worker"), make_user("worker")
    for browser, username in ((first, first_name), (second, second_name)):
        token = csrf_token_in(browser.get("/login"))
        browser.post(
            "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
        )

    change_user(app, first_name, lambda user: revoke_sessions(user, actor=None))

    assert not signed_in(first)
    assert signed_in(second)
