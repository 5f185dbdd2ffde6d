"""What every response shares: health check, the OpenAPI document, security headers, errors."""

import threading
import urllib.request
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from outreach import create_app
from outreach.devserver import QuietHandler
from outreach.extensions import db
from tests.conftest import PASSWORD

# The JSON API of DESIGN §6 that is built so far, with its methods.
API_PATHS = {
    "/api/v1/auth/login": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/catalog": {"get"},
    "/api/v1/sync": {"post"},
    "/api/v1/contacts": {"get"},
    "/api/v1/contacts/{record_id}": {"get"},
    "/api/v1/contacts/{record_id}/void": {"post"},
    "/api/v1/incidents": {"get"},
    "/api/v1/incidents/{record_id}": {"get"},
    "/api/v1/incidents/{record_id}/void": {"post"},
    "/api/v1/referrals": {"get"},
}
SECRET = "database password is hunter2"


def test_healthz_answers_ok_to_anyone(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(app, client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_openapi_document_lists_the_api(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Outreach API"
    for path, methods in API_PATHS.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path


def test_openapi_document_describes_the_login_body(client):
    document = client.get("/api/v1/openapi.json").get_json()

    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert "application/json" in login["requestBody"]["content"]
    assert {"200", "401", "422"} <= set(login["responses"])


@pytest.mark.parametrize(
    "url",
    ["/login", "/healthz", "/api/v1/me", "/api/v1/openapi.json", "/nowhere", "/static/css/app.css"],
)
def test_security_headers_on_every_response(client, url):
    response = client.get(url)

    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    username = make_user("worker")

    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})

    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_no_hsts_and_no_secure_cookie_without_tls(client, make_user):
    response = client.post(
        "/api/v1/auth/login", json={"username": make_user(), "password": PASSWORD}
    )

    assert "Strict-Transport-Security" not in response.headers
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" not in cookie


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(app, database_url, make_user):
    username = make_user()
    tls_app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "OUTREACH_TLS": True, "OUTREACH_PROXIES": 1}
    )
    client = tls_app.test_client()
    # The proxy speaks HTTPS to the phone and says so in X-Forwarded-Proto.
    response = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"},
    )

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)
    assert client.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_proxy_the_address_limit_counts_the_phone_not_the_proxy(
    app, database_url, make_user
):
    username = make_user()
    proxied = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "OUTREACH_PROXIES": 1,
            "OUTREACH_LOGIN_LIMIT": "2 per minute",
        }
    )
    client = proxied.test_client()

    def login(address):
        return client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [login("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert login("198.51.100.2") == 200


def test_a_database_error_is_logged_without_the_values_sent(failing_app, caplog):
    response = failing_app.test_client().get("/api/v1/test-database-failure")

    assert response.status_code == 500
    assert SECRET not in response.get_data(as_text=True)
    assert "no_such_table" in caplog.text  # the error is logged, on either database
    assert SECRET not in caplog.text


@pytest.mark.parametrize("url", ["/api/v1/nowhere", "/api/v1/contacts/42/void/now"])
def test_unknown_api_url_is_404_json(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.content_type == "application/json"
    assert response.get_json() == {"code": 404, "status": "Not Found", "message": "Not found."}


def test_unknown_page_is_404_html(client):
    response = client.get("/nowhere")

    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert "Not found." in html
    assert 'href="/"' in html


def test_wrong_method_on_the_api_is_405_json_with_allow(client):
    response = client.delete("/api/v1/me")

    assert response.status_code == 405
    assert response.get_json()["code"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2", "application/json", 400),
        ('"just a string"', "application/json", 422),
        ("username=a&password=b", "application/x-www-form-urlencoded", 400),
        ("\x00\xff", "application/octet-stream", 400),
    ],
)
def test_bad_request_bodies_get_json_errors_not_500(client, body, content_type, status):
    response = client.post("/api/v1/auth/login", data=body, content_type=content_type)

    assert response.status_code == status
    assert response.get_json()["code"] == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_too_large_body_is_413_json(client):
    body = '{"username": "' + "a" * (1024 * 1024) + '", "password": "x"}'

    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.get_json()["code"] == 413


@pytest.fixture
def failing_app(app, database_url):
    """An app of its own with two routes that fail the way a bug would, and errors not
    re-raised to the test (as in production)."""

    def fail():
        raise RuntimeError(SECRET)

    def fail_in_the_database():
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": SECRET})

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.add_url_rule("/api/v1/test-failure", "api_failure", fail)
    app.add_url_rule("/api/v1/test-database-failure", "database_failure", fail_in_the_database)
    app.add_url_rule("/test-failure", "page_failure", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_unexpected_error_in_the_api_is_a_plain_500_json(failing_app):
    response = failing_app.test_client().get("/api/v1/test-failure")

    assert response.status_code == 500
    body = response.get_json()
    assert body["code"] == 500
    assert body["status"] == "Internal Server Error"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert SECRET not in text
    assert "RuntimeError" not in text


def test_unexpected_error_on_a_page_is_a_plain_500_page(failing_app):
    response = failing_app.test_client().get("/test-failure")

    assert response.status_code == 500
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert "Something went wrong on the server." in html
    assert "Traceback" not in html
    assert SECRET not in html
    assert "RuntimeError" not in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/contacts/{id}/void",
        "/api/v1/incidents/{id}/void",
        "/api/v1/sync",
    ],
)
@pytest.mark.parametrize(
    "nested", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
)
def test_json_nested_too_deep_is_400_not_500(login_as, path, nested):
    api = login_as("worker")

    response = api.post(path.format(id=uuid.uuid4()), data=nested, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json()["code"] == 400


def test_the_development_server_names_no_version(app):
    """`make run` serves with outreach.devserver, whose Server header says only "Outreach"."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz") as answer:
            assert answer.headers["Server"] == "Outreach"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_a_sqlite_file_database_writes_ahead_with_a_larger_cache(tmp_path):
    """The pragmas `database.configure_sqlite` sets on every connection to a file database."""
    app = create_app(
        {
            "SECRET_KEY": "test",
            "OUTREACH_CLIENT_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.db'}",
        }
    )
    with app.app_context():
        pragmas = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "synchronous", "cache_size", "wal_autocheckpoint")
        }
        foreign_keys = db.session.execute(text("PRAGMA foreign_keys")).scalar_one()
        db.session.rollback()
        db.engine.dispose()
    # synchronous 1 is NORMAL; a negative cache size is in KiB.
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "cache_size": -16000,
        "wal_autocheckpoint": 10000,
    }
    assert foreign_keys == 1
