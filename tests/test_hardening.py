"""What a careless or hostile client sends must never be a 500, and must never be stored.

Each group below holds one of the hardening rules of the app:

1. a JSON number of thousands of digits (beyond Python's 4300-digit limit on turning digits into
   an int) is a 400 JSON error, wherever it sits in the body;
2. a `next` with a line break never reaches a header: the redirect goes home;
3. a device offset that is not plain ASCII digits (`²`, `٣`, `1e3`, `99999`) is ignored;
4. dates and row ids beyond what Python or the database hold are a 422 or a 404;
5. bidirectional controls are stripped from every free text that is kept;
6. every answer but static and PWA files carries `Cache-Control: no-store`;
7. zxcvbn judges new passwords and says why one is refused, in the reader's language;
8. a follow-up of another site's referral reads exactly like one of an unknown referral.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User, UserSession
from outreach.auth.service import check_password_rules, find_user
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.records.models import Contact, Incident, Referral, ReferralStatusChange
from outreach.records.quick import quick_contact
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD, ApiClient, local_now
from tests.field.html import form_fields, parse
from tests.sync.helpers import COUNTED, assert_error_shape

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONTACT_FORM = "/field/contacts/new"
INCIDENT_FORM = "/field/incidents/new"

# Beyond sys.get_int_max_str_digits() (4300): json.loads raises a ValueError that is not a
# JSONDecodeError.
HUGE = "9" * 5000
HUGE_NUMBERS = [HUGE, "-" + HUGE, "1" + "0" * 4400]
HUGE_IDS = ["nines", "negative", "power of ten"]
# What json.loads does read: floats (a fraction or exponent of any length is one, inf when too
# big), NaN, Infinity, and ints of up to 4300 digits.
ODD_NUMBERS = ["1e400", "-1e400", HUGE + ".5", "NaN", "Infinity", "-Infinity", "1" * 300]
# Bidirectional embeddings, overrides and isolates.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def with_bidi(text: str) -> str:
    """`text` with every bidirectional control in it, around it and between its letters."""
    middle = len(text) // 2
    return f"\u202e{text[:middle]}\u2066\u202a{text[middle:]}\u202c\u2069" + BIDI


def assert_no_bidi(text: str) -> None:
    assert not set(text) & set(BIDI), ascii(text)


def count_rows(app) -> dict[str, int]:
    """Rows of every table a sync writes, and of the audit log and the sign-in sessions."""
    tables = {**COUNTED, "audit_events": AuditEvent, "user_sessions": UserSession}
    with app.app_context():
        return {
            name: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in tables.items()
        }


def redirected_to(response) -> str:
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))
    return urlsplit(response.headers["Location"]).path


def open_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return parse(response.get_data(as_text=True))


def error_of(page, name: str) -> str:
    """The message tied to the control `name` by aria-describedby."""
    control = page.one(name=name)
    assert control.get("aria-invalid") == "true", control
    return page.one(id=control["aria-describedby"]).text


def error_of_group(page, name: str) -> str:
    """The message of a group of boxes (a fieldset), shown at its end."""
    return page.one(id=f"{name}-error").text


def fill(form: dict, **fields) -> dict:
    """The form with fields typed in (`item__swab` for `item.swab`; None leaves one out)."""
    filled = dict(form)
    for name, value in fields.items():
        name = name.replace("__", ".")
        if value is None:
            filled.pop(name, None)
        else:
            filled[name] = [str(value)]
    return filled


def page_form(client, url, **attrs) -> dict[str, list[str]]:
    """What a browser posts for the page's (only, or `attrs`-chosen) post form, untouched."""
    return form_fields(open_page(client, url).one("form", method="post", **attrs))


def local_value(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def worker(login_as):
    """A worker of AMS-DCR1 and AMS-OUT1, signed in; `worker.client` browses the pages."""
    return login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))


@pytest.fixture
def admin(login_as):
    """An admin, signed in: `admin.client` browses the admin pages."""
    return login_as("admin", sites=())


# 1. Numbers of thousands of digits


def send_raw_json(client, url, body: dict, number: str, headers=None):
    """`body` as JSON, with every "<n>" in it written as the bare number `number` (Python's
    json module would refuse to write one of thousands of digits, or NaN in strict mode)."""
    text = json.dumps(body).replace('"<n>"', number)
    assert number in text
    return client.post(url, data=text, content_type="application/json", headers=headers or {})


def assert_refused_as_not_json(response) -> None:
    body = assert_error_shape(response, 400)
    assert body["message"] == "The request body is not valid JSON."


LOGIN_BODIES = {
    "password": lambda username: {"username": username, "password": "<n>"},
    "username": lambda username: {"username": "<n>", "password": PASSWORD},
    "extra key": lambda username: {"username": username, "password": PASSWORD, "pin": "<n>"},
    "nested in a list": lambda username: {
        "username": username,
        "password": PASSWORD,
        "devices": [{"codes": [1, 2, "<n>"]}],
    },
    "remember": lambda username: {"username": username, "password": PASSWORD, "remember": "<n>"},
}


@pytest.mark.parametrize("number", HUGE_NUMBERS, ids=HUGE_IDS)
@pytest.mark.parametrize("where", LOGIN_BODIES)
def test_a_huge_number_in_a_sign_in_is_a_400_and_signs_nobody_in(
    app, client, make_user, where, number
):
    username = make_user("worker")
    before = count_rows(app)

    response = send_raw_json(client, "/api/v1/auth/login", LOGIN_BODIES[where](username), number)

    assert_refused_as_not_json(response)
    assert count_rows(app) == before  # no session, no audit event (not even a failure)
    assert client.get("/api/v1/me").status_code == 401


SYNC_BODIES = {
    "people_count": lambda contact: {"contacts": [{**contact, "people_count": "<n>"}]},
    "sent_at": lambda contact: {"sent_at": "<n>", "contacts": [contact]},
    "top-level key": lambda contact: {"contacts": [contact], "battery": "<n>"},
    "item quantity": lambda contact: {
        "contacts": [{**contact, "items": [{"code": "syringe_1ml", "quantity": "<n>"}]}]
    },
    "second contact": lambda contact: {"contacts": [contact, {"birth_year": "<n>"}]},
    "referral update": lambda contact: {
        "contacts": [contact],
        "referral_updates": [{"id": str(uuid.uuid4()), "referral_id": "<n>"}],
    },
    "nested list": lambda contact: {"contacts": [contact], "extra": [[[["<n>"]]]]},
}


@pytest.mark.parametrize("number", HUGE_NUMBERS, ids=HUGE_IDS)
@pytest.mark.parametrize("where", SYNC_BODIES)
def test_a_huge_number_in_a_sync_is_a_400_and_stores_nothing(
    app, login_as, make_contact, where, number
):
    worker = login_as("worker")
    before = count_rows(app)

    response = send_raw_json(
        worker.client,
        "/api/v1/sync",
        SYNC_BODIES[where](make_contact()),
        number,
        headers={"X-CSRFToken": worker.csrf_token},
    )

    assert_refused_as_not_json(response)
    assert count_rows(app) == before
    # The same batch with a plain number is fine: it was the number, nothing else.
    retried = worker.sync(contacts=[make_contact()])
    assert [result["status"] for result in retried.get_json()["results"]] == ["created"]


def test_a_huge_number_in_a_void_reason_is_a_400_and_voids_nothing(app, login_as, make_contact):
    worker = login_as("worker")
    contact = make_contact()
    worker.sync(contacts=[contact])

    response = send_raw_json(
        worker.client,
        f"/api/v1/contacts/{contact['id']}/void",
        {"reason": "<n>"},
        HUGE,
        headers={"X-CSRFToken": worker.csrf_token},
    )

    assert_refused_as_not_json(response)
    assert worker.get(f"/api/v1/contacts/{contact['id']}").get_json()["voided"] is False


@pytest.mark.parametrize("number", ODD_NUMBERS)
@pytest.mark.parametrize(
    "field", ["people_count", "birth_year", "returned_syringes", "overdose_reversals", "quantity"]
)
def test_a_number_json_reads_but_no_field_holds_rejects_the_contact(
    app, login_as, make_contact, field, number
):
    """Numbers Python does read, as inf, nan or an int of 300 digits: the contact is rejected
    with a message on the field; nothing is stored."""
    worker = login_as("worker")
    contact = make_contact(referrals=[])
    if field == "quantity":
        contact["items"] = [{"code": "syringe_1ml", "quantity": "<n>"}]
    else:
        contact[field] = "<n>"
    before = count_rows(app)

    response = send_raw_json(
        worker.client,
        "/api/v1/sync",
        {"contacts": [contact]},
        number,
        headers={"X-CSRFToken": worker.csrf_token},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected"
    assert ("items" if field == "quantity" else field) in result["errors"]
    assert count_rows(app) == before


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_a_sent_at_that_is_no_time_is_a_clear_error(app, login_as, make_contact, number):
    worker = login_as("worker")
    before = count_rows(app)

    response = send_raw_json(
        worker.client,
        "/api/v1/sync",
        {"sent_at": "<n>", "contacts": [make_contact()]},
        number,
        headers={"X-CSRFToken": worker.csrf_token},
    )

    body = assert_error_shape(response, 422)
    assert "sent_at" in body["errors"]
    assert count_rows(app) == before


@pytest.mark.parametrize(
    "sent_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z"]
)
def test_a_sent_at_at_the_ends_of_the_calendar_is_no_500(app, login_as, make_contact, sent_at):
    """A clock that far off is not trusted: the records are judged as sent."""
    worker = login_as("worker")

    response = worker.post("/api/v1/sync", json={"sent_at": sent_at, "contacts": [make_contact()]})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [result["status"] for result in body["results"]] == ["created"]
    assert body["clock_correction_seconds"] == 0


@pytest.mark.parametrize("password", ["\ud800", "pass\udfffword", "\x00"])
@pytest.mark.parametrize("known", [True, False], ids=["account", "no account"])
def test_a_password_no_encoding_can_hold_is_a_plain_failure(
    app, client, make_user, password, known
):
    """JSON may carry a lone surrogate (`"\\ud800"`), which no encoding can hash: the sign-in
    fails (as a wrong password, 401, or as a field no password can hold, 422), for an account
    and for a name that is none alike."""
    username = make_user("worker") if known else "nobody-here"

    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})

    assert response.status_code in (401, 422), response.get_data(as_text=True)
    assert_error_shape(response, response.status_code)
    assert client.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert db.session.execute(select(func.count(UserSession.id))).scalar_one() == 0


# 2. A `next` with a line break


INJECTED = [
    "/field\r\nSet-Cookie: x=1",
    "/field\nSet-Cookie: x=1",
    "/field\rSet-Cookie: x=1",
    "/reports\r\nLocation: https://evil.example",
    "/field\tx",
    "/field\x00",
    "/\r\n/evil.example",
]


@pytest.mark.parametrize("next_url", INJECTED)
@pytest.mark.parametrize(("role", "home"), [("worker", "/field"), ("supervisor", "/reports")])
def test_sign_in_with_a_line_break_in_next_goes_home(client, make_user, next_url, role, home):
    username = make_user(role)
    token = csrf_token_in(client.get("/login", query_string={"next": next_url}))

    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"csrf_token": token, "username": username, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert not [cookie for cookie in response.headers.getlist("Set-Cookie") if "x=1" in cookie]
    assert all("\r" not in value and "\n" not in value for _name, value in response.headers)
    assert "evil" not in str(response.headers)


@pytest.mark.parametrize("encoded", ["%0D%0A", "%0A", "%0D", "%E2%80%A8", "%C2%85"])
def test_sign_in_with_an_encoded_line_break_in_the_url_goes_home(client, make_user, encoded):
    """The query string exactly as an attacker's link writes it (with Unicode's line and
    next-line separators too)."""
    username = make_user("supervisor")
    token = csrf_token_in(client.get("/login"))

    response = client.post(
        f"/login?next=/field{encoded}Set-Cookie:x=1",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert "x=1" not in str(response.headers.getlist("Set-Cookie"))
    assert all("\r" not in value and "\n" not in value for _name, value in response.headers)
    if encoded in ("%0D%0A", "%0A", "%0D"):
        assert response.headers["Location"] == "/reports"


@pytest.mark.parametrize("next_url", INJECTED)
def test_choosing_a_language_with_a_line_break_in_next_goes_to_the_field(app, worker, next_url):
    token = worker.get("/api/v1/me").get_json()["csrf_token"]

    response = worker.client.post(
        "/account/language", data={"csrf_token": token, "language": "nl", "next": next_url}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/field"
    assert "x=1" not in str(response.headers)
    with app.app_context():
        assert find_user(worker.username).language == "nl"  # the choice itself is kept


def test_choosing_a_language_still_goes_back_to_a_plain_page(worker):
    token = worker.get("/api/v1/me").get_json()["csrf_token"]

    response = worker.client.post(
        "/account/language",
        data={"csrf_token": token, "language": "en", "next": "/field/referrals"},
    )

    assert response.headers["Location"] == "/field/referrals"


# 3. A device offset that is not ASCII digits


ODD_OFFSETS = ["²", "٣", "1e3", "99999", "9999", "-841", "+60", "六十", "0x3c", " ", "\x00"]


@pytest.mark.parametrize("utc_offset", ODD_OFFSETS)
def test_an_odd_offset_on_the_contact_form_is_ignored(app, worker, utc_offset):
    moment = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    form = fill(
        page_form(worker.client, CONTACT_FORM, id="contact-form"),
        occurred_at=local_value(moment.astimezone(AMSTERDAM)),
        utc_offset=utc_offset,
    )

    response = worker.client.post(CONTACT_FORM, data=form)

    assert redirected_to(response) == "/field"
    stored = worker.get(f"/api/v1/contacts/{form['id'][0]}").get_json()
    # Read in the organisation's time zone, as if no offset had been sent.
    assert datetime.fromisoformat(stored["occurred_at"]) == moment


@pytest.mark.parametrize("utc_offset", ODD_OFFSETS)
def test_an_odd_offset_on_the_incident_form_is_ignored(app, worker, utc_offset):
    moment = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    form = fill(
        page_form(worker.client, INCIDENT_FORM, id="incident-form"),
        occurred_at=local_value(moment.astimezone(AMSTERDAM)),
        utc_offset=utc_offset,
    )

    response = worker.client.post(INCIDENT_FORM, data=form)

    assert redirected_to(response) == "/field"
    stored = worker.get(f"/api/v1/incidents/{form['id'][0]}").get_json()
    assert datetime.fromisoformat(stored["occurred_at"]) == moment


@pytest.mark.parametrize(
    "occurred_at",
    ["9999-12-31T23:59", "0001-01-01T00:00", "²⁰²⁶-01-01T10:00", "2026-13-01T10:00", HUGE],
)
@pytest.mark.parametrize("utc_offset", ["840", "-840", None])
def test_a_time_at_the_ends_of_the_calendar_is_a_field_message(
    app, worker, occurred_at, utc_offset
):
    form = fill(
        page_form(worker.client, CONTACT_FORM, id="contact-form"),
        occurred_at=occurred_at,
        utc_offset=utc_offset,
    )

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    assert error_of(parse(response.get_data(as_text=True)), "occurred_at")
    assert count_rows(app)["contacts"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("people_count", HUGE),
        ("people_count", "²"),
        ("people_count", "1e3"),
        ("birth_year", HUGE),
        ("returned_syringes", "-" + HUGE),
        ("item__syringe_1ml", HUGE),
        ("item__syringe_1ml", "1e3"),
    ],
)
def test_a_number_field_of_odd_digits_is_a_field_message(app, worker, field, value):
    form = fill(page_form(worker.client, CONTACT_FORM, id="contact-form"), **{field: value})

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    assert error_of(parse(response.get_data(as_text=True)), field.replace("__", "."))
    assert count_rows(app)["contacts"] == 0


# 4. Dates and ids beyond what Python or the database hold


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"to": "0001-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "1899-12-31"},
        {"to": "3000-01-01"},
        {"page": HUGE},
        {"page": "99999999999999999999"},
    ],
)
def test_a_far_off_audit_filter_is_a_message_on_its_field(admin, query):
    response = admin.get("/admin/audit", query_string=query)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert page.one(class_="form-error", role="alert")
    field = next(iter(query))
    if field != "page":  # no field for the page number: the alert says it
        assert error_of(page, field) == "Choose a day from 1900-01-01 to 2999-12-31."


@pytest.mark.parametrize("query", [{"to": ""}, {"from": ""}, {"from": " ", "to": "  "}])
def test_an_empty_audit_filter_is_no_filter(admin, query):
    assert admin.get("/admin/audit", query_string=query).status_code == 200


def test_the_audit_log_takes_its_furthest_days(admin):
    response = admin.get("/admin/audit", query_string={"from": "1900-01-01", "to": "2999-12-31"})

    assert response.status_code == 200


@pytest.mark.parametrize("plural", ["contacts", "incidents"])
@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"to": "0001-01-01"},
        {"page": HUGE},
        {"per_page": "99999999999999999999"},
    ],
)
def test_a_far_off_record_list_filter_is_a_422(login_as, plural, query):
    supervisor = login_as("supervisor")

    response = supervisor.get(f"/api/v1/{plural}", query_string=query)

    body = assert_error_shape(response, 422)
    field = next(iter(query))
    if field in ("from", "to"):
        assert body["errors"][field] == ["Choose a day from 1900-01-01 to 2999-12-31."]
    else:
        assert field in body["errors"]


@pytest.mark.parametrize(
    "user_id", ["99999999999999999999", "2147483648", "0", "-1", "00", "1.5", HUGE]
)
def test_a_user_id_the_database_cannot_hold_is_not_found(app, admin, make_user, user_id):
    make_user("worker")
    token = admin.get("/api/v1/me").get_json()["csrf_token"]
    before = count_rows(app)
    form = {"csrf_token": token, "role": "admin", "active": "0", "password": "x" * 20}

    answers = {
        "edit": admin.get(f"/admin/users/{user_id}/edit"),
        "edit, posted": admin.client.post(f"/admin/users/{user_id}/edit", data=form),
        "active": admin.client.post(f"/admin/users/{user_id}/active", data=form),
        "revoke": admin.client.post(f"/admin/users/{user_id}/revoke", data=form),
        "end a session": admin.client.post(
            f"/admin/users/{user_id}/sessions/{user_id}/end", data=form
        ),
        "end my session": admin.client.post(f"/account/sessions/{user_id}/end", data=form),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 404
    )
    assert all("Not found." in answer.get_data(as_text=True) for answer in answers.values())
    assert count_rows(app) == before


@pytest.mark.parametrize("code", ["\x00", "AMS\x00DCR1", "%00", "%FF", "x" * 5000])
@pytest.mark.parametrize("kind", ["sites", "equipment", "referral-types"])
def test_a_catalog_code_the_database_cannot_hold_is_not_found(admin, kind, code):
    """A NUL is a character no PostgreSQL text may hold: the URL names no entry."""
    response = admin.get(f"/admin/{kind}/{code}/edit")

    assert response.status_code == 404


@pytest.mark.parametrize("code", ["\x00", "AMS-DCR1\x00", "x" * 5000])
def test_a_site_code_the_database_cannot_hold_is_a_message_on_a_users_sites(
    app, admin, make_user, code
):
    """An admin's user form posts site codes; one no site can have is an unknown site."""
    with app.app_context():
        worker_id = find_user(make_user("worker")).id
    before = count_rows(app)

    answers = {
        "new": post_page_form(
            admin.client,
            "/admin/users/new",
            username="marloes",
            password="a long street team passphrase",
            sites=code,
        ),
        "edit": post_page_form(admin.client, f"/admin/users/{worker_id}/edit", sites=code),
    }

    for name, response in answers.items():
        assert response.status_code == 422, name
        assert error_of_group(parse(response.get_data(as_text=True)), "sites").startswith(
            "Unknown site: "
        ), name
    assert count_rows(app) == before


def test_a_record_id_that_is_no_uuid_is_not_found(login_as):
    supervisor = login_as("supervisor")

    for url in (f"/api/v1/contacts/{HUGE}", "/api/v1/incidents/%00", "/api/v1/contacts/0"):
        assert supervisor.get(url).status_code == 404, url


# 5. Bidirectional controls are stripped from what is kept


def stored_referral(app, referral_id: str) -> str:
    with app.app_context():
        return db.session.get(Referral, uuid.UUID(referral_id)).referred_to


@pytest.mark.parametrize("path", ["quick", "full"])
def test_bidi_controls_are_stripped_from_a_synced_referral(app, login_as, make_contact, path):
    """`quick`: the plain contact the quick load takes; `full`: one marshmallow loads (a
    number sent as text sends it the long way)."""
    worker = login_as("worker")
    referral_id = str(uuid.uuid4())
    contact = make_contact(
        referrals=[{"id": referral_id, "type": "hcv_test", "referred_to": with_bidi("GGD Oost")}]
    )
    if path == "full":
        contact["people_count"] = "1"
    with app.test_request_context():
        assert (quick_contact(contact) is not None) is (path == "quick")

    response = worker.sync(contacts=[contact])

    assert [result["status"] for result in response.get_json()["results"]] == ["created"]
    assert stored_referral(app, referral_id) == "GGD Oost"
    [read] = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()["referrals"]
    assert read["referred_to"] == "GGD Oost"


@pytest.mark.parametrize("path", ["quick", "full"])
def test_referred_to_is_measured_without_its_bidi_controls(app, login_as, make_contact, path):
    """120 characters is the limit of what is kept, whatever controls came with it."""
    worker = login_as("worker")
    referral_id = str(uuid.uuid4())
    contact = make_contact(
        referrals=[{"id": referral_id, "type": "hcv_test", "referred_to": BIDI * 20 + "x" * 120}]
    )
    if path == "full":
        contact["people_count"] = "1"
    with app.test_request_context():
        assert (quick_contact(contact) is not None) is (path == "quick")

    response = worker.sync(contacts=[contact])

    assert [result["status"] for result in response.get_json()["results"]] == ["created"]
    assert stored_referral(app, referral_id) == "x" * 120


def test_bidi_controls_are_stripped_from_a_referral_made_on_the_form(app, worker):
    form = fill(
        page_form(worker.client, CONTACT_FORM, id="contact-form"),
        referral__hcv_test="on",
        referred_to__hcv_test=with_bidi("Huisartsenpost"),
    )

    assert redirected_to(worker.client.post(CONTACT_FORM, data=form)) == "/field"

    [contact] = worker.get("/api/v1/contacts").get_json()["contacts"]
    [referral] = contact["referrals"]
    assert referral["referred_to"] == "Huisartsenpost"
    assert stored_referral(app, referral["id"]) == "Huisartsenpost"


@pytest.mark.parametrize("plural", ["contacts", "incidents"])
def test_bidi_controls_are_stripped_from_a_void_reason(
    app, login_as, make_contact, make_incident, plural
):
    worker = login_as("worker")
    record = make_contact() if plural == "contacts" else make_incident()
    worker.sync(**{plural: [record]})

    response = worker.post(
        f"/api/v1/{plural}/{record['id']}/void", json={"reason": with_bidi("Entered twice")}
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["void_reason"] == "Entered twice"
    model = Contact if plural == "contacts" else Incident
    with app.app_context():
        assert db.session.get(model, uuid.UUID(record["id"])).void_reason == "Entered twice"
        [event] = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "void")
        ).scalars()
        assert event.detail == "Entered twice"


def test_a_void_reason_of_bidi_controls_is_too_short(app, login_as, make_contact):
    worker = login_as("worker")
    contact = make_contact()
    worker.sync(contacts=[contact])

    response = worker.post(f"/api/v1/contacts/{contact['id']}/void", json={"reason": BIDI + "ok"})

    body = assert_error_shape(response, 422)
    assert "reason" in body["errors"]
    assert worker.get(f"/api/v1/contacts/{contact['id']}").get_json()["voided"] is False


def catalog_row(app, model, code):
    with app.app_context():
        row = db.session.execute(select(model).where(model.code == code)).scalar_one()
        db.session.expunge(row)
        return row


def post_page_form(client, url, **changes):
    """The page's post form as it comes, with `changes` typed in (names with dots as
    `**{"a.b": ...}`)."""
    data = page_form(client, url)
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data=data)


@pytest.mark.parametrize(
    ("url", "model"),
    [("/admin/equipment/new", EquipmentItem), ("/admin/referral-types/new", ReferralType)],
)
def test_bidi_controls_are_stripped_from_a_catalog_entrys_names(app, admin, url, model):
    response = post_page_form(
        admin.client,
        url,
        code=with_bidi("test_kit"),
        name_en=with_bidi("Test kit"),
        name_nl=with_bidi("Testpakket"),
        category="other",
        unit_en=with_bidi("box"),
        unit_nl=with_bidi("doos"),
    )

    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    row = catalog_row(app, model, "test_kit")
    assert (row.name_en, row.name_nl) == ("Test kit", "Testpakket")
    if model is EquipmentItem:
        assert (row.unit_en, row.unit_nl) == ("box", "doos")
    with app.app_context():
        [event] = db.session.execute(
            select(AuditEvent).where(AuditEvent.target.like("%test_kit"))
        ).scalars()
        assert event.detail.startswith("created: Test kit / Testpakket")


def test_bidi_controls_are_stripped_from_a_changed_item_name(app, admin):
    response = post_page_form(
        admin.client, "/admin/equipment/swab/edit", name_en=with_bidi("Alcohol swab")
    )

    assert response.status_code == 302
    assert catalog_row(app, EquipmentItem, "swab").name_en == "Alcohol swab"


def test_bidi_controls_are_stripped_from_a_site_and_its_usual_pack(app, admin, login_as):
    response = post_page_form(
        admin.client,
        "/admin/sites/new",
        code=with_bidi("UTR-NSP2"),
        name_en=with_bidi("Utrecht NSP"),
        name_nl=with_bidi("Spuitomruil Utrecht"),
        kind="pharmacy",
        city=with_bidi("Utrecht"),
        **{
            "usual_packs.0.name_en": with_bidi("Needle pack"),
            "usual_packs.0.name_nl": with_bidi("Naaldenpakket"),
            "usual_packs.0.items.syringe_1ml": "5",
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    site = catalog_row(app, Site, "UTR-NSP2")
    assert (site.name_en, site.name_nl, site.city) == (
        "Utrecht NSP",
        "Spuitomruil Utrecht",
        "Utrecht",
    )
    assert site.usual_packs == [
        {"name_en": "Needle pack", "name_nl": "Naaldenpakket", "items": {"syringe_1ml": 5}}
    ]
    worker = login_as("worker", sites=("UTR-NSP2",))
    [offered] = worker.get("/api/v1/catalog").get_json()["sites"]
    assert offered["usual_packs"][0]["name"] == "Needle pack"
    with app.app_context():
        for event in db.session.execute(select(AuditEvent)).scalars():
            assert_no_bidi(f"{event.target} {event.detail}")


def test_bidi_controls_are_stripped_from_a_changed_pack_name(app, admin):
    response = post_page_form(
        admin.client,
        "/admin/sites/AMS-OUT1/edit",
        name_nl=with_bidi("Veldwerkteam"),
        **{"usual_packs.0.name_nl": with_bidi("Injectiepakket")},
    )

    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    site = catalog_row(app, Site, "AMS-OUT1")
    assert site.name_nl == "Veldwerkteam"
    assert [pack["name_nl"] for pack in site.usual_packs] == ["Injectiepakket"]


def test_a_pack_name_of_bidi_controls_only_is_refused(app, admin):
    before = catalog_row(app, Site, "AMS-OUT1").usual_packs

    response = post_page_form(
        admin.client, "/admin/sites/AMS-OUT1/edit", **{"usual_packs.0.name_nl": BIDI}
    )

    assert response.status_code == 422
    assert "pack name" in response.get_data(as_text=True)
    assert catalog_row(app, Site, "AMS-OUT1").usual_packs == before


def test_bidi_controls_are_stripped_from_a_new_username(app, admin):
    response = post_page_form(
        admin.client,
        "/admin/users/new",
        username=with_bidi("marloes"),
        password="a long street team passphrase",
        role="worker",
        sites="AMS-DCR1",
    )

    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        names = db.session.execute(select(User.username)).scalars().all()
        assert "marloes" in names
        for name in names:
            assert_no_bidi(name)
        for event in db.session.execute(select(AuditEvent)).scalars():
            assert_no_bidi(event.target or "")
    ApiClient(app.test_client(), "marloes", "a long street team passphrase")  # signs in


def test_a_username_of_bidi_controls_only_is_refused(app, admin):
    before = count_rows(app)

    response = post_page_form(
        admin.client,
        "/admin/users/new",
        username=BIDI,
        password="a long street team passphrase",
        role="worker",
    )

    assert response.status_code == 422
    assert error_of(parse(response.get_data(as_text=True)), "username")
    assert count_rows(app) == before


# 6. Cache-Control: no-store on everything that needs sign-in


def read(client, url: str) -> tuple[int, str | None]:
    """(status, Cache-Control) of a GET, its body read to the end as a browser reads it (a
    streamed export ends only then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response.status_code, response.headers.get("Cache-Control")


def signed_in_urls() -> list[str]:
    month = datetime.now(AMSTERDAM).strftime("%Y-%m")  # the organisation's month
    return [
        "/field",
        "/field/contacts/new",
        "/field/incidents/new",
        "/field/referrals",
        "/reports",
        "/reports/referrals",
        "/reports/export",
        f"/reports/export?format=csv&from={month}&to={month}",
        f"/reports/export?format=xlsx&from={month}&to={month}",
        "/api/v1/me",
        "/api/v1/catalog",
        "/api/v1/contacts",
        "/api/v1/incidents",
        "/api/v1/referrals",
        "/api/v1/reports/monthly",
        f"/api/v1/exports/monthly.csv?from={month}&to={month}",
        f"/api/v1/exports/monthly.xlsx?from={month}&to={month}",
        "/account",
        "/account/password",
    ]


ADMIN_URLS = [
    "/admin/users",
    "/admin/users/new",
    "/admin/audit",
    "/admin/sites",
    "/admin/sites/new",
    "/admin/sites/AMS-DCR1/edit",
    "/admin/equipment",
    "/admin/equipment/swab/edit",
    "/admin/referral-types",
    "/admin/referral-types/hcv_test/edit",
    "/admin/settings",
]


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_every_signed_in_answer_carries_no_store(login_as, role):
    user = login_as(role, sites=("AMS-DCR1",) if role == "supervisor" else ())
    urls = signed_in_urls() + (ADMIN_URLS if role == "admin" else [])

    answers = {url: read(user.client, url) for url in urls}

    assert answers == dict.fromkeys(urls, (200, "no-store"))


def test_a_users_own_record_and_edit_page_carry_no_store(app, login_as, make_contact):
    worker = login_as("worker")
    contact = make_contact()
    worker.sync(contacts=[contact])
    admin = login_as("admin", sites=())
    with app.app_context():
        worker_id = find_user(worker.username).id

    for client, url in (
        (worker, f"/api/v1/contacts/{contact['id']}"),
        (admin, f"/admin/users/{worker_id}/edit"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_a_page_posted_answers_no_store_too(worker):
    token = worker.get("/api/v1/me").get_json()["csrf_token"]

    for response in (
        worker.client.post(CONTACT_FORM, data={"csrf_token": token}),  # refused: 422
        worker.client.post("/account/language", data={"csrf_token": token, "language": "en"}),
        worker.sync(),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.status_code


@pytest.mark.parametrize("url", ["/static/css/app.css", "/sw.js", "/manifest.webmanifest"])
def test_static_and_pwa_files_may_be_kept(login_as, client, url):
    for who in (client, login_as("admin", sites=()).client):
        status, cache = read(who, url)
        assert status == 200
        assert "no-store" not in (cache or ""), url


def plain_get_routes(app) -> list[str]:
    """Every route answering GET without a part in its path, but static files."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def test_the_walk_finds_the_routes(app):
    routes = plain_get_routes(app)

    assert {"/field", "/reports", "/admin/users", "/api/v1/me", "/account", "/sw.js"} <= set(routes)
    assert len(routes) >= 30


@pytest.mark.parametrize("role", ["anonymous", "worker", "supervisor", "admin"])
def test_every_plain_get_route_answers_no_store_but_the_pwas(app, login_as, role):
    """Whatever a route answers (200, a redirect to sign in, 401, 403, 404 or 422 for missing
    query arguments): never a 5xx, and never anything a browser or proxy keeps, but the files
    of the PWA."""
    if role == "anonymous":
        client = app.test_client()
    else:
        client = login_as(role, sites=() if role == "admin" else ("AMS-DCR1",)).client
    pwa = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("pwa.")}

    seen = {url: read(client, url) for url in plain_get_routes(app)}

    assert not {url: code for url, (code, _cache) in seen.items() if code >= 500}
    wrong = {
        url: cache for url, (_code, cache) in seen.items() if (url in pwa) == (cache == "no-store")
    }
    assert not wrong, wrong
    assert {url: seen[url][0] for url in ("/field", "/account")} == (
        dict.fromkeys(("/field", "/account"), 302 if role == "anonymous" else 200)
    )


# 7. Passwords judged by zxcvbn


WEAK = ["Welkom2026!", "Password1!", "qwertyuiop1", "aaaaaaaaaa", "Amsterdam2026!", "Straatwerk1!"]
STRONG = ["a long street team passphrase", "correct horse battery", "x7#Lq9!vWz2$pR"]


def change_password(client, new: str, headers=None):
    token = csrf_token_in(client.get("/account/password"))
    form = {"csrf_token": token, "current": PASSWORD, "password": new, "repeated": new}
    return client.post("/account/password", data=form, headers=headers or {})


def signs_in_with(app, username: str, password: str) -> bool:
    response = app.test_client().post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    return response.status_code == 200


def password_message(response) -> str:
    assert response.status_code == 422, response.status_code
    return error_of(parse(response.get_data(as_text=True)), "password")


@pytest.mark.parametrize("password", WEAK)
def test_an_easy_password_is_refused_on_the_page_saying_why(app, login_as, password):
    worker = login_as("worker")

    message = password_message(change_password(worker.client, password))

    assert message.startswith("This password is too easy to guess: it ")
    assert signs_in_with(app, worker.username, PASSWORD)


@pytest.mark.parametrize("password", WEAK)
def test_an_easy_password_is_refused_by_the_rules(app, password):
    with app.test_request_context(), pytest.raises(InvalidInput) as refused:
        check_password_rules(password, "marloes")

    [message] = refused.value.errors["password"]
    assert message.startswith("This password is too easy to guess: it ")


def test_the_reasons_say_what_is_wrong(app):
    reasons = {}
    for password in ("aaaaaaaaaa", "qwertyuiop1", "Password1!", "Welkom2026!"):
        with app.test_request_context(), pytest.raises(InvalidInput) as refused:
            check_password_rules(password)
        reasons[password] = refused.value.errors["password"][0]

    assert 'repeats characters, like "aaa"' in reasons["aaaaaaaaaa"]
    assert "commonly used password" in reasons["qwertyuiop1"]
    assert "commonly used password" in reasons["Password1!"]
    # "welkom" is no English word: it is refused as one of the words anyone here tries first.
    assert "a common Dutch word" in reasons["Welkom2026!"]


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "Welkom2026!"])
def test_an_easy_password_is_refused_in_dutch_for_a_dutch_user(app, login_as, password):
    worker = login_as("worker")
    token = worker.get("/api/v1/me").get_json()["csrf_token"]
    worker.client.post("/account/language", data={"csrf_token": token, "language": "nl"})

    message = password_message(change_password(worker.client, password))

    assert message.startswith("Dit wachtwoord is te makkelijk te raden: ")
    assert "repeats" not in message and "would be guessed" not in message


def test_an_easy_password_is_refused_in_the_browsers_language(app, login_as):
    worker = login_as("worker")

    response = change_password(worker.client, "qwertyuiop1", headers={"Accept-Language": "nl"})

    assert password_message(response).startswith("Dit wachtwoord is te makkelijk te raden: ")
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        with pytest.raises(InvalidInput) as refused:
            check_password_rules("aaaaaaaaaa")
        assert refused.value.errors["password"][0].startswith(
            "Dit wachtwoord is te makkelijk te raden: "
        )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_password_with_the_username_in_it_is_refused_saying_so(app, make_user, language):
    username = make_user("worker", username="marloes-veld")
    client = app.test_client()
    ApiClient(client, username)
    headers = {"Accept-Language": language}

    response = change_password(client, f"{username}2026!", headers=headers)

    expected = {
        "en": "This password is too easy to guess: it contains your user name.",
        "nl": "Dit wachtwoord is te makkelijk te raden: je gebruikersnaam zit erin.",
    }
    assert password_message(response) == expected[language]
    with app.test_request_context(headers=headers), pytest.raises(InvalidInput) as refused:
        check_password_rules("Marloes-Veld!!", "marloes-veld")
    assert refused.value.errors["password"] == [expected[language]]


def test_an_admin_setting_a_password_with_the_username_in_it_is_refused(app, admin):
    response = post_page_form(
        admin.client,
        "/admin/users/new",
        username="jeroen-straat",
        password="jeroen-straat2026",
        role="worker",
    )

    assert password_message(response) == (
        "This password is too easy to guess: it contains your user name."
    )


@pytest.mark.parametrize("password", STRONG)
def test_a_good_password_is_accepted(app, login_as, password):
    worker = login_as("worker")

    response = change_password(worker.client, password)

    assert response.status_code == 302
    assert signs_in_with(app, worker.username, password)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("a long street team passphrase " * 4, True),  # 120 characters
        (("straatwerk spuitomruil gebruiksruimte " * 3)[:100], True),
        ("x" * 72 + "qJ7#pL2!vW9$", False),  # judged by its first 72 characters only
        ("é" * 100, False),
        ("x7#Lq9!vWz2$pR" * 20, True),
    ],
    ids=["phrase", "dutch words", "weak start", "accents", "280 characters"],
)
def test_a_long_password_is_judged_by_its_start_without_raising(app, password, accepted):
    """Only the first 72 characters go to zxcvbn (passwords.LONGEST_JUDGED): a longer password
    is judged by those, and judging it raises nothing but the refusal."""
    with app.test_request_context():
        try:
            check_password_rules(password)
        except InvalidInput as exc:
            assert not accepted, exc.errors
            assert exc.errors["password"][0].startswith("This password is too easy to guess: ")
        else:
            assert accepted


def test_a_passphrase_of_100_characters_is_accepted(app, login_as):
    passphrase = ("night shift at the needle exchange on the corner " * 3)[:100]
    assert len(passphrase) == 100
    worker = login_as("worker")

    assert change_password(worker.client, passphrase).status_code == 302
    assert signs_in_with(app, worker.username, passphrase)


# 8. Another site's referral reads like an unknown one


@pytest.fixture
def referral(login_as, make_contact):
    """A referral made by a worker of AMS-DCR1 five minutes ago; (its id, the worker)."""
    owner = login_as("worker", sites=("AMS-DCR1",))
    contact = make_contact()
    assert owner.sync(contacts=[contact]).get_json()["results"][0]["status"] == "created"
    owner.contact_id = contact["id"]
    return contact["referrals"][0]["id"], owner


FOLLOW_UPS = {
    "valid": {},
    "unknown status": {"status": "lost"},
    "before the referral": {"occurred_at": lambda: local_now(60).isoformat()},
    "no time": {"occurred_at": None},
    "bad time": {"occurred_at": "yesterday"},
    "future": {"occurred_at": lambda: local_now(-120).isoformat()},
}


def follow_up(referral_id: str, changes: dict) -> dict:
    record = {
        "id": str(uuid.uuid4()),
        "referral_id": referral_id,
        "status": "attended",
        "occurred_at": local_now(1).isoformat(),
    }
    for name, value in changes.items():
        if value is None:
            record.pop(name)
        else:
            record[name] = value() if callable(value) else value
    return record


def answer_without_ids(response) -> tuple[int, list[dict]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    return response.status_code, [
        {key: value for key, value in result.items() if key != "id"} for result in results
    ]


@pytest.mark.parametrize("voided", [False, True], ids=["open", "voided"])
@pytest.mark.parametrize("changes", FOLLOW_UPS.values(), ids=FOLLOW_UPS.keys())
@pytest.mark.parametrize(
    ("role", "sites"),
    [("worker", ("RTM-NSP1",)), ("worker", ("AMS-OUT1",)), ("supervisor", ("RTM-NSP1",))],
)
def test_another_sites_referral_answers_as_an_unknown_one(
    app, login_as, referral, changes, voided, role, sites
):
    referral_id, owner = referral
    if voided:
        owner.post(f"/api/v1/contacts/{owner.contact_id}/void", json={"reason": "Entered twice"})
    stranger = login_as(role, sites=sites)

    theirs = stranger.sync(referral_updates=[follow_up(referral_id, changes)])
    unknown = stranger.sync(referral_updates=[follow_up(str(uuid.uuid4()), changes)])

    assert answer_without_ids(theirs) == answer_without_ids(unknown)
    [result] = theirs.get_json()["results"]
    assert result["status"] == "rejected"
    assert result["errors"].get("referral_id") == ["Unknown referral."]
    with app.app_context():
        assert db.session.execute(select(func.count(ReferralStatusChange.id))).scalar_one() == 0
        assert db.session.get(Referral, uuid.UUID(referral_id)).status == "made"


def test_the_same_follow_up_by_the_owner_is_taken(app, referral):
    """The control: what the stranger was refused, the worker of the site may do."""
    referral_id, owner = referral

    response = owner.sync(referral_updates=[follow_up(referral_id, {})])

    assert [result["status"] for result in response.get_json()["results"]] == ["created"]
    with app.app_context():
        assert db.session.get(Referral, uuid.UUID(referral_id)).status == "attended"


def test_the_owners_errors_name_what_is_wrong_with_the_follow_up(referral):
    """Unlike a stranger, the owner is told that the follow-up predates the referral."""
    referral_id, owner = referral

    response = owner.sync(
        referral_updates=[follow_up(referral_id, FOLLOW_UPS["before the referral"])]
    )

    [result] = response.get_json()["results"]
    assert result["status"] == "rejected"
    assert list(result["errors"]) == ["occurred_at"]


def test_another_sites_referral_answers_as_an_unknown_one_on_the_page(app, login_as, referral):
    """The referrals page without JavaScript says the same as the sync API."""
    referral_id, _owner = referral
    stranger = login_as("worker", sites=("RTM-NSP1",))
    token = stranger.get("/api/v1/me").get_json()["csrf_token"]

    def post(target: str):
        form = {"csrf_token": token, "id": str(uuid.uuid4()), "referral_id": target}
        response = stranger.client.post("/field/referrals", data={**form, "status": "attended"})
        page = parse(response.get_data(as_text=True))
        return response.status_code, page.one(class_="form-error", role="alert").text

    assert post(referral_id) == post(str(uuid.uuid4()))
    assert "Unknown referral." in post(referral_id)[1]
    with app.app_context():
        assert db.session.execute(select(func.count(ReferralStatusChange.id))).scalar_one() == 0
