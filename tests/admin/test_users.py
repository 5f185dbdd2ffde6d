"""Admins deactivate users and sign a lost phone out everywhere; the next request is refused."""

import pytest
from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD, ApiClient
from tests.field.html import parse


def user_id(app, username) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def press(client, path, **form):
    """Post one of the page's forms, with the page's token."""
    token = csrf_token_in(client.get("/admin/users"))
    return client.post(path, data={"csrf_token": token, **form})


def test_the_users_page_lists_everyone_with_their_role_and_sites(app, admin_page, make_user):
    client, admin = admin_page
    worker = make_user("worker", sites=("AMS-DCR1", "AMS-OUT1"))

    page = parse(client.get("/admin/users").get_data(as_text=True))

    rows = {
        row.find("th").text: [td.text for td in row.find_all("td")]
        for row in page.find_all("tr")[1:]
    }
    assert rows[worker][:3] == ["Worker", "AMS-DCR1, AMS-OUT1", "active"]
    assert rows[admin][:3] == ["Administrator", "\N{EN DASH}", "active"]
    # An admin cannot lock themselves out: no deactivate button on their own row.
    assert page.find("button", **{"aria-label": f"Deactivate {admin}"}) is None
    assert page.find("button", **{"aria-label": f"Deactivate {worker}"}) is not None


def test_a_deactivated_user_is_refused_at_once_and_can_be_activated_again(
    app, admin_page, make_user, make_contact
):
    client, admin = admin_page
    worker = make_user("worker")
    phone = ApiClient(app.test_client(), worker)
    assert phone.get("/api/v1/me").status_code == 200

    response = press(client, f"/admin/users/{user_id(app, worker)}/active", active="0")

    assert response.status_code == 302
    assert "is deactivated" in client.get("/admin/users").get_data(as_text=True)
    assert phone.get("/api/v1/me").status_code == 401
    assert phone.sync(contacts=[make_contact()]).status_code == 401
    refused = app.test_client().post(
        "/api/v1/auth/login", json={"username": worker, "password": PASSWORD}
    )
    assert refused.status_code == 401

    press(client, f"/admin/users/{user_id(app, worker)}/active", active="1")
    assert ApiClient(app.test_client(), worker).get("/api/v1/me").status_code == 200
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.target)
            .where(AuditEvent.action.in_(("user_deactivated", "user_activated")))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(row) for row in actions] == [
        ("user_deactivated", admin, f"user:{worker}"),
        ("user_activated", admin, f"user:{worker}"),
    ]


def test_a_lost_phone_is_signed_out_everywhere(app, admin_page, make_user):
    client, admin = admin_page
    worker = make_user("worker")
    phones = [ApiClient(app.test_client(), worker) for _ in range(2)]

    response = press(client, f"/admin/users/{user_id(app, worker)}/revoke")

    assert response.status_code == 302
    assert all(phone.get("/api/v1/me").status_code == 401 for phone in phones)
    # The worker signs in again on their new phone.
    assert ApiClient(app.test_client(), worker).get("/api/v1/me").status_code == 200
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "sessions_revoked")
        ).scalar_one()
        assert (event.actor_name, event.target) == (admin, f"user:{worker}")


def test_an_admin_cannot_deactivate_themselves(app, admin_page):
    client, admin = admin_page

    response = press(client, f"/admin/users/{user_id(app, admin)}/active", active="0")

    assert response.status_code == 422
    assert "your own account" in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("path", ["/admin/users/999999/active", "/admin/users/999999/revoke"])
def test_an_unknown_user_is_404(admin_page, path):
    client, _admin = admin_page
    assert press(client, path, active="0").status_code == 404


def test_without_the_token_nothing_changes(app, admin_page, make_user):
    client, _admin = admin_page
    worker = make_user("worker")

    response = client.post(f"/admin/users/{user_id(app, worker)}/active", data={"active": "0"})

    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, user_id(app, worker)).active


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_only_admins_manage_users(app, make_user, login_as, role):
    other = make_user("worker")
    caller = login_as(role)
    assert caller.get("/admin/users").status_code == 403
    response = caller.post(f"/admin/users/{user_id(app, other)}/active", data={"active": "0"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, user_id(app, other)).active


def submit(client, path, **form):
    """Post the form at `path` with the token from that very page."""
    token = csrf_token_in(client.get(path))
    return client.post(path, data={"csrf_token": token, **form})


def test_an_admin_creates_a_user_who_can_sign_in(app, admin_page):
    client, admin = admin_page

    response = submit(
        client,
        "/admin/users/new",
        username="nina",
        role="supervisor",
        sites=["AMS-DCR1", "RTM-NSP1"],
        password="a long enough secret",
    )

    assert response.status_code == 302
    assert "nina can sign in now." in client.get("/admin/users").get_data(as_text=True)
    nina = ApiClient(app.test_client(), "nina", password="a long enough secret")
    me = nina.get("/api/v1/me").get_json()["user"]
    assert (me["role"], me["sites"]) == ("supervisor", ["AMS-DCR1", "RTM-NSP1"])
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "user_created", AuditEvent.target == "user:nina"
            )
        ).scalar_one()
        assert event.actor_name == admin


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "", "password": "a long enough secret"}, "username", "1 to 60"),
        ({"username": "nina", "password": "short"}, "password", "at least 10"),
        ({"username": "nina", "password": "wachtwoord1"}, "password", "easy to guess"),
        (
            {"username": "nina", "password": "a long enough secret", "role": "boss"},
            "role",
            "Unknown role",
        ),
    ],
)
def test_a_bad_new_user_is_a_readable_form_error(app, admin_page, form, field, message):
    client, _admin = admin_page

    response = submit(client, "/admin/users/new", **{"role": "worker", **form})

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert page.find(role="alert") is not None
    control = page.find(name=field)
    assert control.get("aria-invalid") == "true"
    assert message in page.one(id=control["aria-describedby"]).text
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "nina")).first() is None


def test_a_taken_username_is_refused(app, admin_page, make_user):
    client, _admin = admin_page
    taken = make_user("worker")

    response = submit(
        client,
        "/admin/users/new",
        username=taken.upper(),
        role="worker",
        password="a long enough secret",
    )

    assert response.status_code == 422
    assert "This username is taken." in response.get_data(as_text=True)


def test_an_admin_changes_role_and_sites_and_the_next_request_uses_them(app, admin_page, make_user):
    client, admin = admin_page
    worker = make_user("worker", sites=("AMS-DCR1",))
    phone = ApiClient(app.test_client(), worker)
    assert (
        phone.get("/api/v1/reports/monthly", query_string={"month": "2026-01"}).status_code == 403
    )

    response = submit(
        client, f"/admin/users/{user_id(app, worker)}/edit", role="supervisor", sites=["AMS-OUT1"]
    )

    assert response.status_code == 302
    me = phone.get("/api/v1/me").get_json()["user"]  # the same session, not signed out
    assert (me["role"], me["sites"]) == ("supervisor", ["AMS-OUT1"])
    assert (
        phone.get("/api/v1/reports/monthly", query_string={"month": "2026-01"}).status_code == 200
    )
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "user_changed")
        ).scalar_one()
        assert (event.actor_name, event.detail) == (admin, "role supervisor; sites AMS-OUT1")


def test_a_password_reset_signs_the_user_out_and_the_new_one_works(app, admin_page, make_user):
    client, _admin = admin_page
    worker = make_user("worker", sites=("AMS-DCR1",))
    phone = ApiClient(app.test_client(), worker)

    response = submit(
        client,
        f"/admin/users/{user_id(app, worker)}/edit",
        role="worker",
        sites=["AMS-DCR1"],
        password="another long secret",
    )

    assert response.status_code == 302
    assert phone.get("/api/v1/me").status_code == 401
    assert ApiClient(app.test_client(), worker, password="another long secret")
    with app.app_context():
        actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert "password_reset" in actions
    assert "user_changed" not in actions  # role and sites stayed as they were


def test_a_weak_new_password_changes_nothing(app, admin_page, make_user):
    client, _admin = admin_page
    worker = make_user("worker", sites=("AMS-DCR1",))

    response = submit(
        client,
        f"/admin/users/{user_id(app, worker)}/edit",
        role="admin",
        sites=[],
        password="short",
    )

    assert response.status_code == 422
    assert (
        ApiClient(app.test_client(), worker).get("/api/v1/me").get_json()["user"]["role"]
        == "worker"
    )


def test_an_admin_cannot_change_their_own_role(app, admin_page):
    client, admin = admin_page

    response = submit(client, f"/admin/users/{user_id(app, admin)}/edit", role="worker")

    assert response.status_code == 422
    assert "your own role" in response.get_data(as_text=True)
