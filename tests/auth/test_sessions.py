"""Sessions kept on the server (outreach.auth.sessions): a random key per sign-in, stored only
as a hash. Every test here would pass a signed "user_id:version" cookie with no server row and
must fail it: replayed cookies, rotated remember-me cookies, expiry, ending sessions one by one
or all at once, and the sign-in lock on the password page."""

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from outreach.audit.models import AuditEvent
from outreach.auth.models import User, UserSession
from outreach.auth.sessions import describe_device
from outreach.extensions import db
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD, ApiClient
from tests.field.html import parse

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.113 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
NEW_PASSWORD = "purple elephant ladder"


# --- Helpers -------------------------------------------------------------------------------


def browser(app, username, password=PASSWORD, remember=False, user_agent=None):
    """A new test client signed in through the /login form (with this User-Agent, if given)."""
    client = app.test_client()
    headers = {"User-Agent": user_agent} if user_agent else {}
    token = csrf_token_in(client.get("/login", headers=headers))
    form = {"csrf_token": token, "username": username, "password": password}
    if remember:
        form["remember"] = "on"
    response = client.post("/login", data=form, headers=headers)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def signed_in(client) -> bool:
    """Whether the client's cookies open the field pages (rather than sending it to /login)."""
    response = client.get("/field")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return False
    assert response.status_code == 200, response.status_code
    return True


def cookie(client, name="session") -> str | None:
    found = client.get_cookie(name)
    return found.value if found is not None else None


def client_with(app, **cookies):
    """A fresh test client holding only these cookies: another browser replaying them."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def sign_out(client):
    response = client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/logout"))})
    assert urlsplit(response.headers["Location"]).path == "/login"
    return response


def submit(client, page, path, **form):
    """Post a form to `path` with the CSRF token from `page`, as a browser would."""
    token = csrf_token_in(client.get(page))
    return client.post(path, data={"csrf_token": token, **form})


def user_id(app, username) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def sessions(app, username=None) -> list:
    """The session rows (of one user, or all), oldest first, readable after the context."""
    with app.app_context():
        query = select(
            UserSession.id,
            UserSession.key_hash,
            UserSession.device,
            UserSession.remember,
            UserSession.created_at,
            UserSession.last_seen_at,
        ).order_by(UserSession.id)
        if username is not None:
            query = query.join(User).where(User.username == username)
        return db.session.execute(query).all()


def set_last_seen(app, session_id, ago: timedelta) -> datetime:
    """Pretend a session was last used `ago`; the moment as the database gives it back."""
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id)
            .values(last_seen_at=datetime.now(UTC) - ago)
        )
        db.session.commit()
        return db.session.get(UserSession, session_id).last_seen_at


def events(app, action) -> list[tuple[str, str, str]]:
    """(actor, target, detail) of the audit events of one action, oldest first."""
    with app.app_context():
        query = (
            select(AuditEvent.actor_name, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in db.session.execute(query)]


def device_rows(page_html) -> dict[int, str]:
    """The signed-in devices table: session id -> the text of its row header."""
    page = parse(page_html)
    return {
        int(row["data-session"]): row.find("th").text
        for row in page.find_all("tr")
        if "data-session" in row.attrs
    }


# --- A cookie replayed after signing out --------------------------------------------------


def test_a_session_cookie_replayed_after_signing_out_is_refused(
    app, client, make_user, sign_in_page
):
    username = make_user("worker")
    sign_in_page(username)
    copied = cookie(client)
    # While the session is open, the copy opens the pages in another browser too.
    assert signed_in(client_with(app, session=copied))

    sign_out(client)

    thief = client_with(app, session=copied)
    response = thief.get("/field")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert sessions(app, username) == []


def test_an_api_session_cookie_replayed_after_signing_out_is_refused(app, make_user):
    username = make_user("worker")
    phone = ApiClient(app.test_client(), username)
    copied = cookie(phone.client)
    assert client_with(app, session=copied).get("/api/v1/me").status_code == 200

    assert phone.post("/api/v1/auth/logout").status_code == 204

    assert client_with(app, session=copied).get("/api/v1/me").status_code == 401
    assert sessions(app, username) == []


# --- Remember-me cookies: one per sign-in, rotated on use, dead after sign-out -------------


def test_each_sign_in_gets_a_remember_cookie_of_its_own(app, make_user):
    username = make_user("worker")

    first = cookie(browser(app, username, remember=True), "remember_token")
    second = cookie(browser(app, username, remember=True), "remember_token")

    assert first and second
    assert first != second
    assert [row.remember for row in sessions(app, username)] == [True, True]


def test_the_remember_cookie_signs_in_again_and_is_then_replaced(app, make_user):
    username = make_user("worker")
    old = cookie(browser(app, username, remember=True), "remember_token")

    # The browser was closed: the session cookie is gone, the remember-me cookie is not.
    phone = client_with(app, remember_token=old)
    assert signed_in(phone)

    new = cookie(phone, "remember_token")
    assert new and new != old
    # Still signed in on the new session cookie, and on the new remember cookie alone.
    assert signed_in(phone)
    assert signed_in(client_with(app, remember_token=new))
    # The old value opens nothing any more; the session is still the one row.
    assert not signed_in(client_with(app, remember_token=old))
    assert len(sessions(app, username)) == 1


def test_after_signing_out_the_remember_cookie_signs_nobody_in(app, make_user):
    username = make_user("worker")
    phone = browser(app, username, remember=True)
    remembered = cookie(phone, "remember_token")

    sign_out(phone)

    assert not signed_in(client_with(app, remember_token=remembered))
    assert not signed_in(phone)
    assert sessions(app, username) == []


# --- Expiry -----------------------------------------------------------------------------


def test_a_session_unused_for_13_hours_is_refused_and_deleted(app, make_user):
    username = make_user("worker")
    laptop = browser(app, username)
    [row] = sessions(app, username)

    set_last_seen(app, row.id, timedelta(hours=13))

    assert not signed_in(laptop)
    assert sessions(app, username) == []


@pytest.mark.parametrize(
    ("ago", "works"), [(timedelta(hours=13), True), (timedelta(days=15), False)]
)
def test_a_remembered_session_lasts_14_days(app, make_user, ago, works):
    username = make_user("worker")
    phone = browser(app, username, remember=True)
    [row] = sessions(app, username)

    set_last_seen(app, row.id, ago)

    assert signed_in(phone) is works
    assert len(sessions(app, username)) == (1 if works else 0)


def test_a_remember_cookie_of_an_expired_session_signs_nobody_in(app, make_user):
    username = make_user("worker")
    remembered = cookie(browser(app, username, remember=True), "remember_token")
    [row] = sessions(app, username)

    set_last_seen(app, row.id, timedelta(days=15))

    assert not signed_in(client_with(app, remember_token=remembered))
    assert sessions(app, username) == []


def test_signing_in_clears_out_everyones_expired_sessions(app, make_user):
    """Sessions nobody comes back for do not pile up: each sign-in deletes the expired ones."""
    worker, other = make_user("worker"), make_user("worker")
    browser(app, worker)
    browser(app, worker, remember=True)
    expired, remembered = sessions(app, worker)
    set_last_seen(app, expired.id, timedelta(hours=13))
    set_last_seen(app, remembered.id, timedelta(hours=13))

    browser(app, other)

    assert [row.id for row in sessions(app, worker)] == [remembered.id]


def test_last_seen_is_written_at_most_every_five_minutes(app, make_user):
    username = make_user("worker")
    laptop = browser(app, username)
    [row] = sessions(app, username)

    # Used a minute ago: a request changes nothing in the database.
    a_minute_ago = set_last_seen(app, row.id, timedelta(minutes=1))
    assert signed_in(laptop)
    assert sessions(app, username)[0].last_seen_at == a_minute_ago

    # Used ten minutes ago: the request notes that the session is in use now.
    set_last_seen(app, row.id, timedelta(minutes=10))
    before = datetime.now(UTC)
    assert signed_in(laptop)
    seen = sessions(app, username)[0].last_seen_at
    assert before <= seen <= datetime.now(UTC)


def test_a_session_in_use_lasts_beyond_12_hours_after_sign_in(app, make_user):
    """The idle limit counts from the last use, for the cookie too (Flask refuses a session
    cookie signed more than PERMANENT_SESSION_LIFETIME ago): a worker using the app all day is
    not sent to sign in 12 hours after signing in."""
    username = make_user("worker")
    signed_at = time.time()

    def hours_later(hours):
        return mock.patch("itsdangerous.timed.time.time", return_value=signed_at + hours * 3600)

    with hours_later(-13):  # signed in 13 hours ago
        laptop = browser(app, username)
    [row] = sessions(app, username)
    set_last_seen(app, row.id, timedelta(minutes=10))
    with hours_later(-2):  # used 11 hours later: the cookie is signed anew
        assert signed_in(laptop)
    assert signed_in(laptop)  # now, 13 hours after signing in


def test_signing_in_as_someone_else_ends_the_session_on_this_browser(app, make_user):
    """A shared phone: Bob signs in where Alice was kept signed in. Alice's session ends, and her
    remember-me cookie does not sign her in again once Bob's session cookie is gone."""
    alice, bob = make_user("worker"), make_user("worker")
    shared = browser(app, alice, remember=True)
    token = csrf_token_in(shared.get("/logout"))
    shared.post("/login", data={"csrf_token": token, "username": bob, "password": PASSWORD})
    assert sessions(app, alice) == []
    assert cookie(shared, "remember_token") is None
    shared.delete_cookie("session")  # the browser is closed
    assert shared.get("/api/v1/me").status_code == 401


# --- Password changes, revoking and deactivating end sessions ---------------------------


def test_changing_ones_password_ends_the_other_sessions_and_renews_this_one(app, make_user):
    username = make_user("worker")
    this = browser(app, username, remember=True)
    other = browser(app, username)
    phone = ApiClient(app.test_client(), username)
    old_session, old_remember = cookie(this), cookie(this, "remember_token")
    [old_row] = [row for row in sessions(app, username) if row.remember]

    response = submit(
        this,
        "/account/password",
        "/account/password",
        current=PASSWORD,
        password=NEW_PASSWORD,
        repeated=NEW_PASSWORD,
    )

    assert response.status_code == 302
    assert signed_in(this)
    assert not signed_in(other)
    assert phone.get("/api/v1/me").status_code == 401
    # This browser goes on with a new key: its old cookies open nothing.
    assert cookie(this) != old_session
    assert cookie(this, "remember_token") not in (None, old_remember)
    assert not signed_in(client_with(app, session=old_session))
    assert not signed_in(client_with(app, remember_token=old_remember))
    assert signed_in(client_with(app, remember_token=cookie(this, "remember_token")))
    [row] = sessions(app, username)
    assert row.key_hash != old_row.key_hash
    assert row.remember  # "keep me signed in" carries over to the new session
    assert events(app, "password_changed") == [(username, f"user:{username}", "")]


def test_a_wrong_current_password_changes_nothing(app, make_user):
    username = make_user("worker")
    this, other = browser(app, username), browser(app, username)
    before = sessions(app, username)

    response = submit(
        this,
        "/account/password",
        "/account/password",
        current="not my password",
        password=NEW_PASSWORD,
        repeated=NEW_PASSWORD,
    )

    assert response.status_code == 422
    assert signed_in(this) and signed_in(other)
    assert [row.key_hash for row in sessions(app, username)] == [row.key_hash for row in before]


def test_an_admin_password_reset_ends_every_session_of_the_user(app, make_user):
    admin, worker = make_user("admin", sites=()), make_user("worker")
    admin_browser = browser(app, admin)
    devices = [browser(app, worker, remember=True), ApiClient(app.test_client(), worker).client]
    remembered = cookie(devices[0], "remember_token")
    path = f"/admin/users/{user_id(app, worker)}/edit"

    response = submit(
        admin_browser, path, path, role="worker", sites="AMS-DCR1", password=NEW_PASSWORD
    )

    assert response.status_code == 302
    assert not signed_in(devices[0])
    assert devices[1].get("/api/v1/me").status_code == 401
    assert not signed_in(client_with(app, remember_token=remembered))
    assert sessions(app, worker) == []
    assert signed_in(admin_browser)
    assert signed_in(browser(app, worker, password=NEW_PASSWORD))


def test_revoking_ends_every_session_of_the_user(app, make_user):
    admin, worker = make_user("admin", sites=()), make_user("worker")
    admin_browser = browser(app, admin)
    devices = [browser(app, worker, remember=True), browser(app, worker)]
    remembered = cookie(devices[0], "remember_token")

    response = submit(admin_browser, "/admin/users", f"/admin/users/{user_id(app, worker)}/revoke")

    assert response.status_code == 302
    assert not any(signed_in(device) for device in devices)
    assert not signed_in(client_with(app, remember_token=remembered))
    assert sessions(app, worker) == []
    assert len(sessions(app, admin)) == 1


def test_deactivating_deletes_the_sessions_and_reactivating_brings_none_back(app, make_user):
    admin, worker = make_user("admin", sites=()), make_user("worker")
    admin_browser = browser(app, admin)
    phone = browser(app, worker, remember=True)
    laptop = browser(app, worker)
    copied = {"session": cookie(phone), "remember_token": cookie(phone, "remember_token")}
    path = f"/admin/users/{user_id(app, worker)}/active"

    assert submit(admin_browser, "/admin/users", path, active="0").status_code == 302
    assert sessions(app, worker) == []
    assert submit(admin_browser, "/admin/users", path, active="1").status_code == 302

    assert not signed_in(phone)
    assert not signed_in(laptop)
    assert not signed_in(client_with(app, **copied))
    assert not signed_in(client_with(app, remember_token=copied["remember_token"]))
    assert sessions(app, worker) == []
    # Signing in again makes a new session.
    assert signed_in(browser(app, worker))


# --- /account: one's own devices ---------------------------------------------------------


def test_the_account_page_lists_ones_own_sessions_by_device(app, make_user):
    username, someone_else = make_user("worker"), make_user("worker")
    browser(app, username, remember=True, user_agent=ANDROID_CHROME)
    laptop = browser(app, username, user_agent=WINDOWS_FIREFOX)
    browser(app, someone_else, user_agent=ANDROID_CHROME)
    phone_row, laptop_row = sessions(app, username)

    response = laptop.get("/account")

    assert response.status_code == 200
    rows = device_rows(response.get_data(as_text=True))
    assert set(rows) == {phone_row.id, laptop_row.id}
    assert rows[laptop_row.id].startswith("Windows · Firefox (this device)")
    assert rows[phone_row.id].startswith("Android · Chrome")
    assert "this device" not in rows[phone_row.id]
    assert "kept signed in" in rows[phone_row.id]


def test_ending_another_device_signs_only_that_one_out(app, make_user):
    username = make_user("worker")
    phone = browser(app, username, user_agent=ANDROID_CHROME)
    laptop = browser(app, username, user_agent=WINDOWS_FIREFOX)
    phone_row, laptop_row = sessions(app, username)

    response = submit(laptop, "/account", f"/account/sessions/{phone_row.id}/end")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account"
    assert "Android · Chrome is signed out." in laptop.get("/account").get_data(as_text=True)
    assert not signed_in(phone)
    assert signed_in(laptop)
    assert [row.id for row in sessions(app, username)] == [laptop_row.id]
    assert events(app, "session_ended") == [(username, f"user:{username}", "Android · Chrome")]


def test_ending_this_device_signs_out_here(app, make_user):
    username = make_user("worker")
    phone = browser(app, username, user_agent=ANDROID_CHROME)
    laptop = browser(app, username, remember=True, user_agent=WINDOWS_FIREFOX)
    remembered = cookie(laptop, "remember_token")
    phone_row, laptop_row = sessions(app, username)

    response = submit(laptop, "/account", f"/account/sessions/{laptop_row.id}/end")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not signed_in(laptop)
    assert not signed_in(client_with(app, remember_token=remembered))
    assert signed_in(phone)
    assert [row.id for row in sessions(app, username)] == [phone_row.id]
    assert events(app, "session_ended") == [(username, f"user:{username}", "Windows · Firefox")]


def test_another_users_session_cannot_be_ended_from_ones_account(app, make_user):
    username, someone_else = make_user("worker"), make_user("worker")
    mine = browser(app, username)
    theirs = browser(app, someone_else)
    [their_row] = sessions(app, someone_else)

    response = submit(mine, "/account", f"/account/sessions/{their_row.id}/end")

    assert response.status_code == 404
    assert signed_in(theirs) and signed_in(mine)
    assert sessions(app, someone_else) == [their_row]
    assert events(app, "session_ended") == []


# --- An admin signs out one of a user's devices ----------------------------------------


def test_an_admin_sees_a_users_sessions_and_signs_one_out(app, make_user):
    admin, worker = make_user("admin", sites=()), make_user("worker")
    admin_browser = browser(app, admin)
    phone = browser(app, worker, remember=True, user_agent=ANDROID_CHROME)
    laptop = browser(app, worker, user_agent=WINDOWS_FIREFOX)
    remembered = cookie(phone, "remember_token")
    phone_row, laptop_row = sessions(app, worker)
    page = f"/admin/users/{user_id(app, worker)}/edit"

    rows = device_rows(admin_browser.get(page).get_data(as_text=True))
    assert set(rows) == {phone_row.id, laptop_row.id}  # the worker's, not the admin's own
    assert rows[phone_row.id].startswith("Android · Chrome")
    assert rows[laptop_row.id].startswith("Windows · Firefox")
    assert not any("this device" in text for text in rows.values())

    response = submit(
        admin_browser, page, f"/admin/users/{user_id(app, worker)}/sessions/{phone_row.id}/end"
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == page
    assert not signed_in(phone)
    assert not signed_in(client_with(app, remember_token=remembered))
    assert signed_in(laptop)
    assert [row.id for row in sessions(app, worker)] == [laptop_row.id]
    assert set(device_rows(admin_browser.get(page).get_data(as_text=True))) == {laptop_row.id}
    assert events(app, "session_ended") == [(admin, f"user:{worker}", "Android · Chrome")]


def test_an_admin_cannot_end_a_session_through_another_user(app, make_user):
    admin, worker, other = make_user("admin", sites=()), make_user("worker"), make_user("worker")
    admin_browser = browser(app, admin)
    theirs = browser(app, other)
    [their_row] = sessions(app, other)
    page = f"/admin/users/{user_id(app, worker)}/edit"

    response = submit(
        admin_browser, page, f"/admin/users/{user_id(app, worker)}/sessions/{their_row.id}/end"
    )

    assert response.status_code == 404
    assert signed_in(theirs)
    assert sessions(app, other) == [their_row]
    assert events(app, "session_ended") == []


# --- The sign-in lock on the password page --------------------------------------------


def test_wrong_current_passwords_lock_the_account_whatever_name_the_form_gives(app, make_user):
    username, bystander = make_user("worker"), make_user("worker")
    laptop = browser(app, username)
    names = ["made-up-1", "made-up-2", bystander, "made-up-4", "made-up-5", "made-up-6"]

    statuses = [
        submit(
            laptop,
            "/account/password",
            "/account/password",
            username=name,
            current="not my password",
            password=NEW_PASSWORD,
            repeated=NEW_PASSWORD,
        ).status_code
        for name in names
    ]

    assert statuses == [422] * 5 + [429]
    # Locked even for the right password, on the page and at the sign-in door.
    right = submit(
        laptop,
        "/account/password",
        "/account/password",
        current=PASSWORD,
        password=NEW_PASSWORD,
        repeated=NEW_PASSWORD,
    )
    assert right.status_code == 429
    door = submit(app.test_client(), "/login", "/login", username=username, password=PASSWORD)
    assert door.status_code == 429
    assert "Retry-After" in door.headers
    # The names the form gave are not locked: the bystander still signs in.
    assert signed_in(browser(app, bystander))


# --- Devices described from the User-Agent -------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (ANDROID_CHROME, "Android · Chrome"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
            "iPhone · Safari",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
            "iPhone · Chrome",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            "Android · Samsung Internet",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            "Windows · Edge",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mac · Firefox",
        ),
        (WINDOWS_FIREFOX, "Windows · Firefox"),
        ("", "?"),
    ],
)
def test_describe_device(user_agent, device):
    assert describe_device(user_agent) == device


# --- No key in the clear ----------------------------------------------------------------


def test_session_rows_keep_only_a_hash_of_the_key(app, make_user):
    username = make_user("worker")
    phone = browser(app, username, remember=True)
    laptop = ApiClient(app.test_client(), username).client
    cookies = [cookie(phone), cookie(phone, "remember_token"), cookie(laptop)]
    rows = sessions(app, username)

    assert len(rows) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}", row.key_hash) for row in rows)
    assert not {row.key_hash for row in rows} & set(cookies)
    # The key each cookie carries is stored only as its SHA-256, never as it is.
    serializer = app.session_interface.get_signing_serializer(app)
    keys = [
        serializer.loads(cookies[0])["_user_id"],
        cookies[1].split("|")[0],  # Flask-Login's remember cookie: "<key>|<digest>"
        serializer.loads(cookies[2])["_user_id"],
    ]
    assert keys[0] == keys[1] != keys[2]
    assert {hashlib.sha256(key.encode()).hexdigest() for key in keys} == {
        row.key_hash for row in rows
    }
    stored = " ".join(str(value) for row in sessions(app) for value in row)
    assert not any(key in stored for key in keys)
