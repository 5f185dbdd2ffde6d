"""/admin/audit: the page that reads and filters the audit log, for admins only, and that
cannot change it (what is written to the log: tests/audit/test_service.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from outreach.audit.service import record_event
from outreach.extensions import db
from tests.conftest import PASSWORD
from tests.field.html import parse


def signed_in(app, make_user, role="admin", sites=("AMS-DCR1",)):
    username = make_user(role, sites=sites)
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return client, username


def add_events(app, *events):
    """(action, actor name, target, when) rows written straight to the log."""
    with app.app_context():
        for action, actor, target, when in events:
            entry = record_event(action, target=target)
            entry.actor_name = actor
            entry.occurred_at = when
        db.session.commit()


def rows(response) -> list[list[str]]:
    page = parse(response.get_data(as_text=True))
    body = page.find("tbody")
    if body is None:
        return []
    return [[cell.text for cell in row.find_all("td")] for row in body.find_all("tr")]


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_only_admins_read_the_audit_log(app, make_user, role):
    client, _name = signed_in(app, make_user, role)
    assert client.get("/admin/audit").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_log_reads_newest_first_with_what_happened(app, make_user):
    client, admin = signed_in(app, make_user)
    now = datetime.now(UTC)
    add_events(
        app,
        ("export", "nina", "monthly.csv", now - timedelta(days=2)),
        ("void", "jan", "contacts:abc", now - timedelta(days=1)),
    )

    table = rows(client.get("/admin/audit"))

    actions = [row[2] for row in table]
    # Newest first: the admin's sign-in, their account and the catalog made by the test's
    # set-up, then the void of yesterday and the export of the day before.
    assert actions == ["Signed in", "User created", "Catalog changed", "Record voided", "Export"]
    assert table[0][1] == admin
    assert table[3][1:4] == ["jan", "Record voided", "contacts:abc"]


def test_filters_by_action_user_and_dates(app, make_user):
    client, _admin = signed_in(app, make_user)
    now = datetime.now(UTC)
    add_events(
        app,
        ("export", "nina", "a", now - timedelta(days=40)),
        ("export", "Jan", "b", now - timedelta(days=10)),
        ("void", "jan", "c", now - timedelta(days=10)),
    )
    day = (now - timedelta(days=12)).date().isoformat()

    by_action = rows(client.get("/admin/audit", query_string={"action": "export"}))
    assert sorted(row[3] for row in by_action) == ["a", "b"]
    by_user = rows(client.get("/admin/audit", query_string={"actor": "JAN"}))
    assert sorted(row[3] for row in by_user) == ["b", "c"]
    since = rows(client.get("/admin/audit", query_string={"action": "export", "from": day}))
    assert [row[3] for row in since] == ["b"]
    until = rows(client.get("/admin/audit", query_string={"action": "export", "to": day}))
    assert [row[3] for row in until] == ["a"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "yesterday"}, "from", "Not a valid date."),
        ({"action": "delete_everything"}, "action", "Choose an action from the list."),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to", "The last day comes before the first."),
        ({"page": "0"}, "page", None),
    ],
)
def test_a_bad_filter_is_a_readable_form_error(app, make_user, query, field, message):
    client, _admin = signed_in(app, make_user)

    response = client.get("/admin/audit", query_string=query)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert page.find(role="alert") is not None
    if field != "page":
        control = page.find(name=field)
        assert control.get("aria-invalid") == "true"
        assert page.one(id=control["aria-describedby"]).text == message


def test_a_stray_query_parameter_is_ignored(app, make_user):
    client, _admin = signed_in(app, make_user)

    assert client.get("/admin/audit", query_string={"utm_source": "mail"}).status_code == 200


def test_many_entries_come_in_pages(app, make_user):
    client, _admin = signed_in(app, make_user)
    now = datetime.now(UTC)
    add_events(
        app, *[("export", "nina", f"file {n}", now - timedelta(minutes=n)) for n in range(120)]
    )

    first = client.get("/admin/audit", query_string={"action": "export"})
    assert len(rows(first)) == 50
    page = parse(first.get_data(as_text=True))
    older = page.one("a", rel="next")["href"].replace("&amp;", "&")
    second = client.get(older)
    assert "action=export" in older
    assert rows(second)[0][3] == "file 50"
    third = client.get("/admin/audit", query_string={"action": "export", "page": 3})
    assert len(rows(third)) == 20
    beyond = client.get("/admin/audit", query_string={"action": "export", "page": 9})
    assert beyond.status_code == 200
    assert rows(beyond) == []


def test_the_page_cannot_change_the_log(app, make_user):
    client, _admin = signed_in(app, make_user)
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    for method in (client.post, client.put, client.delete, client.patch):
        assert method("/admin/audit", headers={"X-CSRFToken": token}).status_code == 405
