"""The JSON sign-in of DESIGN §6: login, logout, /me, and sessions revoked at once."""

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from outreach.audit.models import AuditEvent
from outreach.auth import service as auth_service
from outreach.auth.models import User
from outreach.auth.service import revoke_sessions, set_active
from outreach.extensions import db
from tests.conftest import PASSWORD, ApiClient

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"


def change_user(app, username, change):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        change(user)
        db.session.commit()


SET_UP = ("user_created", "catalog_changed")


def audit_events(app) -> list[AuditEvent]:
    """The events of signing in and out (not those of setting the test up)."""
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action.not_in(SET_UP)).order_by(AuditEvent.id)
        return list(db.session.execute(query).scalars())


def test_login_answers_the_user_and_a_csrf_token(client, make_user):
    username = make_user("supervisor", sites=("AMS-OUT1", "AMS-DCR1"))

    response = client.post(LOGIN, json={"username": username, "password": PASSWORD})

    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == username
    assert body["user"]["role"] == "supervisor"
    assert body["user"]["sites"] == ["AMS-DCR1", "AMS-OUT1"]
    assert body["csrf_token"]
    assert "password" not in str(body)
    assert client.get_cookie("session") is not None


def test_me_answers_who_is_signed_in(login_as):
    api = login_as("worker", sites=("AMS-DCR1",))

    response = api.get(ME)

    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {
        "username": api.username,
        "role": "worker",
        "sites": ["AMS-DCR1"],
        "language": None,
    }
    assert body["csrf_token"]


def test_me_gives_a_token_that_works_for_what_follows(login_as):
    """The token in a cached page goes stale: the app fetches a fresh one before syncing."""
    api = login_as("worker")
    api.csrf_token = api.get(ME).get_json()["csrf_token"]

    assert api.sync().status_code == 200


def test_me_signed_out_is_401_json(client):
    response = client.get(ME)

    assert response.status_code == 401
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["code"] == 401
    assert body["status"] == "Unauthorized"
    assert body["message"]


@pytest.mark.parametrize("who", ["wrong password", "unknown user", "deactivated user"])
def test_wrong_credentials_are_401_with_one_message(client, make_user, who):
    username = make_user("worker", active=who != "deactivated user")
    credentials = {
        "wrong password": {"username": username, "password": "not the password"},
        "unknown user": {"username": "nobody-here", "password": PASSWORD},
        "deactivated user": {"username": username, "password": PASSWORD},
    }[who]

    response = client.post(LOGIN, json=credentials)

    assert response.status_code == 401
    assert response.get_json() == {
        "code": 401,
        "status": "Unauthorized",
        "message": "Wrong username or password.",
    }
    assert client.get(ME).status_code == 401


def test_username_is_not_case_sensitive(client, make_user):
    make_user("worker", username="jade")

    response = client.post(LOGIN, json={"username": "JADE", "password": PASSWORD})

    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == "jade"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("username=u&password=p", "application/x-www-form-urlencoded"),
        # What a cross-site form with enctype="text/plain" can send: JSON-looking, not JSON.
        ('{"username": "u", "password": "p"}', "text/plain"),
        ("{not json", "application/json"),
    ],
)
def test_login_takes_only_a_json_body(client, make_user, body, content_type):
    username = make_user("worker")

    response = client.post(
        LOGIN, data=body.replace('"u"', f'"{username}"'), content_type=content_type
    )

    assert response.status_code == 400
    assert response.get_json()["code"] == 400
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "someone"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": 7, "password": PASSWORD}, "username"),
        ({"username": "someone", "password": PASSWORD, "remember": "maybe"}, "remember"),
        ([], "_schema"),
    ],
)
def test_login_with_missing_or_wrong_fields_is_422(client, body, field):
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_logout_ends_the_session(app, login_as):
    api = login_as("worker")

    response = api.post(LOGOUT)

    assert response.status_code == 204
    assert api.get(ME).status_code == 401
    assert api.get("/api/v1/contacts").status_code == 401
    assert [event.action for event in audit_events(app)][-1] == "logout"


def test_logout_ends_a_remembered_session_too(app, make_user):
    username = make_user("worker")
    client = app.test_client()
    token = client.post(
        LOGIN, json={"username": username, "password": PASSWORD, "remember": True}
    ).get_json()["csrf_token"]
    assert client.get_cookie("remember_token") is not None

    assert client.post(LOGOUT, headers={"X-CSRFToken": token}).status_code == 204

    assert client.get(ME).status_code == 401


def test_logout_without_token_is_refused(login_as):
    api = login_as("worker")

    response = api.client.post(LOGOUT)

    assert response.status_code == 400
    assert api.get(ME).status_code == 200


def test_logout_signed_out_is_401(client):
    assert client.post(LOGOUT).status_code == 401


def test_login_and_failed_login_are_audited(app, client, make_user):
    username = make_user("worker")

    client.post(LOGIN, json={"username": username, "password": "not the password"})
    client.post(LOGIN, json={"username": username, "password": PASSWORD})

    failed, login = audit_events(app)
    assert (failed.action, failed.actor_id, failed.target) == (
        "login_failed",
        None,
        f"user:{username}",
    )
    assert (login.action, login.actor_name) == ("login", username)
    assert login.actor_id is not None
    # Never the password, right or wrong.
    assert PASSWORD not in f"{failed.detail}{failed.target}{login.detail}"
    assert "not the password" not in f"{failed.detail}{failed.target}{login.detail}"


def test_failed_login_of_an_unknown_name_does_not_keep_what_was_typed(app, client):
    """A name that is no account's may be a password typed in the wrong box."""
    client.post(LOGIN, json={"username": "s3cret-typed-here", "password": "whatever it is"})

    [failed] = audit_events(app)
    assert (failed.action, failed.target, failed.detail) == ("login_failed", "unknown", "")


@pytest.mark.parametrize("remember", [False, True])
def test_user_deactivated_after_sign_in_is_refused_at_once(app, make_user, remember):
    username = make_user("worker")
    client = app.test_client()
    client.post(LOGIN, json={"username": username, "password": PASSWORD, "remember": remember})
    urls = [ME, "/api/v1/contacts", "/api/v1/referrals", "/api/v1/catalog"]
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)

    change_user(app, username, lambda user: set_active(user, False, actor=None))

    for url in urls:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.get_json()["code"] == 401


@pytest.mark.parametrize("remember", [False, True])
def test_revoked_sessions_are_refused_at_once(app, make_user, remember):
    """A lost phone: bumping the session version ends the sessions, remembered or not."""
    username = make_user("worker")
    client = app.test_client()
    client.post(LOGIN, json={"username": username, "password": PASSWORD, "remember": remember})

    change_user(app, username, lambda user: revoke_sessions(user, actor=None))

    assert client.get(ME).status_code == 401
    client.delete_cookie("session")
    assert client.get(ME).status_code == 401


def test_revoked_session_cannot_change_anything(app, login_as, make_contact):
    api = login_as("worker")

    change_user(app, api.username, lambda user: revoke_sessions(user, actor=None))

    response = api.sync(contacts=[make_contact()])
    assert response.status_code == 401


def test_signing_in_again_after_revocation_works(app, login_as):
    api = login_as("worker")
    change_user(app, api.username, lambda user: revoke_sessions(user, actor=None))

    again = ApiClient(app.test_client(), api.username)

    assert again.get(ME).status_code == 200


@pytest.mark.parametrize("who", ["wrong password", "unknown user"])
def test_an_unknown_name_costs_the_same_work_as_a_wrong_password(
    client, make_user, monkeypatch, who
):
    """One password hash check either way, so the answer's timing tells no account apart."""
    checks = []
    real_check = auth_service.check_password_hash
    monkeypatch.setattr(
        auth_service,
        "check_password_hash",
        lambda stored, given: checks.append(stored) or real_check(stored, given),
    )
    username = make_user("worker") if who == "wrong password" else "nobody-here"

    response = client.post(LOGIN, json={"username": username, "password": "not the password"})

    assert response.status_code == 401
    assert len(checks) == 1
    # The dummy hash is of the kind real passwords get (the tests use quicker ones).
    default_method = generate_password_hash("x").split("$")[0]
    assert auth_service._UNKNOWN_USER_HASH.split("$")[0] == default_method


def test_nothing_planted_in_a_session_before_sign_in_survives_it(client, make_user):
    username = make_user("worker")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    client.post(LOGIN, json={"username": username, "password": PASSWORD})

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
