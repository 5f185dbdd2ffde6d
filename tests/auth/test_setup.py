"""`/setup`: a new organisation's first administrator, made through a page; gone once any
user exists."""

import threading
import time

from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from tests.auth.conftest import csrf_token_in

GOOD_PASSWORD = "a long and unusual passphrase"


def post_setup(client, **fields):
    token = csrf_token_in(client.get("/setup"))
    form = {"username": "coordinator", "password": GOOD_PASSWORD, "repeated": GOOD_PASSWORD}
    return client.post("/setup", data={"csrf_token": token, **form, **fields})


def users(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.username, u.role) for u in db.session.execute(select(User)).scalars()]


def test_the_sign_in_page_of_a_new_database_points_to_setup(client):
    page = client.get("/login").get_data(as_text=True)
    assert "This database has no users yet." in page
    assert 'href="/setup"' in page


def test_the_first_admin_is_made_and_signed_in(app, client):
    response = post_setup(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/sites")
    assert users(app) == [("coordinator", "admin")]
    assert client.get("/admin/users").status_code == 200  # signed in, as an admin
    with app.app_context():
        actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert actions[-2:] == ["user_created", "login"]


def test_the_page_is_gone_once_a_user_exists(app, client, make_user):
    make_user("worker")
    assert client.get("/setup").status_code == 404
    response = client.post("/setup", data={"username": "intruder", "password": GOOD_PASSWORD})
    assert response.status_code in (400, 404)  # no CSRF token to be had; never a new user
    assert "This database has no users yet." not in client.get("/login").get_data(as_text=True)
    assert ("intruder", "admin") not in users(app)


def test_a_second_setup_is_refused(app, client):
    post_setup(client)
    other = app.test_client()
    assert other.get("/setup").status_code == 404
    assert users(app) == [("coordinator", "admin")]


def test_bad_input_is_a_form_error_and_makes_nobody(app, client):
    cases = [
        ({"repeated": "something else entirely"}, "The two passwords differ."),
        ({"password": "short", "repeated": "short"}, "at least"),
        ({"password": "password123", "repeated": "password123"}, "common"),
        ({"username": ""}, "A username has 1 to 60 characters."),
    ]
    for fields, message in cases:
        response = post_setup(client, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in page, (fields, page)
        assert 'aria-invalid="true"' in page or "has-error" in page
    assert users(app) == []


def test_two_setups_at_once_make_one_admin(app, monkeypatch):
    """The second waits for the first, then finds the door closed (on PostgreSQL too)."""
    from outreach.auth import service

    clients = [app.test_client() for _ in range(2)]
    tokens = [csrf_token_in(client.get("/setup")) for client in clients]
    real_create_user = service.create_user

    def slow_create_user(*args, **kwargs):
        user = real_create_user(*args, **kwargs)
        time.sleep(0.3)  # the other request arrives meanwhile
        return user

    monkeypatch.setattr(service, "create_user", slow_create_user)
    start = threading.Barrier(2)
    answers = [None, None]

    def set_up(number):
        start.wait()
        form = {
            "csrf_token": tokens[number],
            "username": f"coordinator{number}",
            "password": GOOD_PASSWORD,
            "repeated": GOOD_PASSWORD,
        }
        answers[number] = clients[number].post("/setup", data=form).status_code

    threads = [threading.Thread(target=set_up, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == [302, 404]
    assert len(users(app)) == 1
