"""Every route in the URL map, for every kind of caller, against the access rules of DESIGN §1.

The walk calls each route of `app.url_map` (every method but HEAD and OPTIONS) as six callers:
nobody signed in; the worker of AMS-DCR1 who recorded the records; a supervisor of AMS-DCR1; an
admin of no site; and another site's worker and supervisor (RTM-NSP1 only). Every record,
report and export asked for belongs to AMS-DCR1. Each answer must match RULES:

- nobody signed in: pages send them to /login, the API answers 401 JSON; the sign-in doors,
  health check, PWA files, static files and the OpenAPI document are public;
- workers are refused reports and exports, pages and API;
- another site's users get 403 or 404 on AMS-DCR1's records, 403 on voiding them and on
  AMS-DCR1's reports and exports, never find an AMS-DCR1 record id in any answer, and cannot
  record anything for AMS-DCR1;
- admins reach everything; only admins reach `/admin/...`.

A route without a rule fails the test by name, and so does a rule for a route that is gone.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from config import TestingConfig
from outreach.auth.models import User, UserSession
from outreach.extensions import db
from outreach.records.models import Contact, Incident, ReferralStatusChange
from outreach.sealing.envelope import seal_record
from outreach.sealing.keys import keys_from_pem
from outreach.supplies.models import StockMovement
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD, ApiClient, local_now

HOME_SITE = "AMS-DCR1"  # where every record belongs
OTHER_SITE = "RTM-NSP1"

# What a caller should get


@dataclass(frozen=True)
class Expect:
    """An expected answer: one of `statuses` (any status but a refusal when empty), and for a
    redirect, where it goes. Only an expectation that names /login accepts being sent there."""

    meaning: str
    statuses: frozenset[int] = frozenset()
    location: str | None = None

    def fault(self, response) -> str | None:
        """Why the response breaks this expectation, or None when it does not."""
        status = response.status_code
        sent_to = urlsplit(response.location).path if response.location else None
        if self.statuses and status not in self.statuses:
            return f"answered {status}"
        if not self.statuses and (status in (401, 403) or status >= 500):
            return f"answered {status}"
        if self.location is not None and sent_to != self.location:
            return f"redirected to {sent_to}"
        if self.location != "/login" and sent_to == "/login":
            return "was sent to /login"
        return None


OK = Expect("200", frozenset({200}))
NO_CONTENT = Expect("204", frozenset({204}))
GO_HOME = Expect("302 to their home", frozenset({302}))
TO_LOGIN = Expect("302 to /login", frozenset({302}), location="/login")
UNAUTHORIZED = Expect("401", frozenset({401}))
FORBIDDEN = Expect("403", frozenset({403}))
HIDDEN = Expect("403 or 404", frozenset({403, 404}))
NOT_FOUND = Expect("404", frozenset({404}))
ALLOWED = Expect("anything but 401/403/5xx or /login")  # a write: validation is not the point


SEAL_KEY = keys_from_pem(TestingConfig.OUTREACH_SEAL_KEY)[0]


class Access(NamedTuple):
    """The expected answer for each caller of one route."""

    anonymous: Expect
    worker: Expect
    supervisor: Expect
    admin: Expect
    other_site_worker: Expect
    other_site_supervisor: Expect


CALLERS = Access._fields

PUBLIC = Access(OK, OK, OK, OK, OK, OK)
SIGNED_IN_PAGE = Access(TO_LOGIN, OK, OK, OK, OK, OK)
SIGNED_IN_API = Access(UNAUTHORIZED, OK, OK, OK, OK, OK)
SIGNED_IN_FORM_POST = Access(TO_LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
SIGNED_IN_API_POST = Access(UNAUTHORIZED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
HOME_RECORD = Access(UNAUTHORIZED, OK, OK, OK, HIDDEN, HIDDEN)
VOID_HOME_RECORD = Access(UNAUTHORIZED, ALLOWED, ALLOWED, ALLOWED, FORBIDDEN, FORBIDDEN)
HOME_REPORT_PAGE = Access(TO_LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)
HOME_REPORT_API = Access(UNAUTHORIZED, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)
HOME_STOCK_API = Access(UNAUTHORIZED, OK, OK, OK, FORBIDDEN, FORBIDDEN)
SUPPLY_FORM_POST = Access(TO_LOGIN, FORBIDDEN, ALLOWED, ALLOWED, FORBIDDEN, FORBIDDEN)
ADMIN_PAGE = Access(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN)
ADMIN_FORM_POST = Access(TO_LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, FORBIDDEN, FORBIDDEN)

# Added alongside this test: its rule stays, and is not reported stale where the route is not
# there yet.
ADMIN_AUDIT = ("admin.audit", "GET")

RULES: dict[tuple[str, str], Access] = {
    # Sign-in pages and the home redirect
    ("auth.index", "GET"): Access(TO_LOGIN, GO_HOME, GO_HOME, GO_HOME, GO_HOME, GO_HOME),
    ("auth.login", "GET"): Access(OK, GO_HOME, GO_HOME, GO_HOME, GO_HOME, GO_HOME),
    ("auth.login", "POST"): Access(GO_HOME, GO_HOME, GO_HOME, GO_HOME, GO_HOME, GO_HOME),
    # The first-run page: gone once the organisation has a user, for everyone.
    ("auth.account", "GET"): SIGNED_IN_PAGE,
    # Another user's session (or none): not found, whoever asks; nobody signed in signs in first.
    ("auth.end_own_session", "POST"): Access(TO_LOGIN, *[NOT_FOUND] * 5),
    ("auth.change_password", "GET"): SIGNED_IN_PAGE,
    ("auth.change_password", "POST"): SIGNED_IN_FORM_POST,
    ("auth.setup", "GET"): Access(*[NOT_FOUND] * 6),
    ("auth.setup", "POST"): Access(*[NOT_FOUND] * 6),
    ("auth.logout", "GET"): SIGNED_IN_PAGE,
    ("auth.logout", "POST"): Access(TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN),
    ("auth.set_language", "POST"): SIGNED_IN_FORM_POST,
    # Sign-in API
    ("auth_api.login", "POST"): PUBLIC,
    ("auth_api.logout", "POST"): Access(
        UNAUTHORIZED, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT
    ),
    ("auth_api.me", "GET"): SIGNED_IN_API,
    ("catalog_api.catalog", "GET"): SIGNED_IN_API,
    # Records
    ("sync_api.sync", "POST"): SIGNED_IN_API_POST,
    # Anyone signed in may ask; it opens only for the record's author (others get a 422).
    ("sync_api.open_sealed", "POST"): SIGNED_IN_API_POST,
    ("records_api.list_contacts", "GET"): SIGNED_IN_API,
    ("records_api.get_contact", "GET"): HOME_RECORD,
    ("voids_api.void_contact", "POST"): VOID_HOME_RECORD,
    ("records_api.list_incidents", "GET"): SIGNED_IN_API,
    ("records_api.get_incident", "GET"): HOME_RECORD,
    ("voids_api.void_incident", "POST"): VOID_HOME_RECORD,
    ("records_api.list_referrals", "GET"): SIGNED_IN_API,
    # Reports and exports
    ("reports_api.monthly", "GET"): HOME_REPORT_API,
    ("reports_api.annual", "GET"): HOME_REPORT_API,
    ("exports_api.monthly_csv", "GET"): HOME_REPORT_API,
    ("exports_api.monthly_xlsx", "GET"): HOME_REPORT_API,
    ("exports_api.annual_csv", "GET"): HOME_REPORT_API,
    ("exports_api.annual_xlsx", "GET"): HOME_REPORT_API,
    ("reports.dashboard", "GET"): HOME_REPORT_PAGE,
    ("reports.referrals", "GET"): HOME_REPORT_PAGE,
    ("reports.year", "GET"): HOME_REPORT_PAGE,
    # Stock: every user reads their sites' stock; the books' history is for supervisors
    ("stock_api.get_stock", "GET"): HOME_STOCK_API,
    ("stock_api.list_movements", "GET"): HOME_REPORT_API,
    ("exports.export_page", "GET"): HOME_REPORT_PAGE,
    # The supplies pages: the books of the supervisor's sites (an AMS-DCR1 shortfall is hidden)
    ("supplies.overview", "GET"): HOME_REPORT_PAGE,
    ("supplies.new_movement", "GET"): HOME_REPORT_PAGE,
    ("supplies.new_movement", "POST"): SUPPLY_FORM_POST,
    ("supplies.history", "GET"): HOME_REPORT_PAGE,
    ("supplies.levels", "GET"): HOME_REPORT_PAGE,
    ("supplies.levels", "POST"): SUPPLY_FORM_POST,
    ("supplies.resolve_shortfall", "POST"): Access(
        TO_LOGIN, FORBIDDEN, ALLOWED, ALLOWED, FORBIDDEN, HIDDEN
    ),
    # Field pages
    ("field.home", "GET"): SIGNED_IN_PAGE,
    ("field.new_contact", "GET"): SIGNED_IN_PAGE,
    ("field.new_contact", "POST"): SIGNED_IN_FORM_POST,
    ("field.new_incident", "GET"): SIGNED_IN_PAGE,
    ("field.new_incident", "POST"): SIGNED_IN_FORM_POST,
    ("field.referrals", "GET"): SIGNED_IN_PAGE,
    ("field.referrals", "POST"): SIGNED_IN_FORM_POST,
    ("field.stock", "GET"): SIGNED_IN_PAGE,
    ("field.stock", "POST"): SIGNED_IN_FORM_POST,
    # Administration
    ADMIN_AUDIT: ADMIN_PAGE,
    ("admin.users", "GET"): ADMIN_PAGE,
    ("admin.set_user_active", "POST"): ADMIN_FORM_POST,
    ("admin.revoke_user_sessions", "POST"): ADMIN_FORM_POST,
    ("admin.end_user_session", "POST"): ADMIN_FORM_POST,
    ("admin.new_user", "GET"): ADMIN_PAGE,
    ("admin.new_user", "POST"): ADMIN_FORM_POST,
    ("admin.edit_user", "GET"): ADMIN_PAGE,
    ("admin.edit_user", "POST"): ADMIN_FORM_POST,
    ("admin.sites", "GET"): ADMIN_PAGE,
    ("admin.new_site", "GET"): ADMIN_PAGE,
    ("admin.new_site", "POST"): ADMIN_FORM_POST,
    ("admin.edit_site", "GET"): ADMIN_PAGE,
    ("admin.edit_site", "POST"): ADMIN_FORM_POST,
    ("admin.equipment", "GET"): ADMIN_PAGE,
    ("admin.new_equipment_item", "GET"): ADMIN_PAGE,
    ("admin.new_equipment_item", "POST"): ADMIN_FORM_POST,
    ("admin.edit_equipment_item", "GET"): ADMIN_PAGE,
    ("admin.edit_equipment_item", "POST"): ADMIN_FORM_POST,
    ("admin.referral_types", "GET"): ADMIN_PAGE,
    ("admin.new_referral_type", "GET"): ADMIN_PAGE,
    ("admin.new_referral_type", "POST"): ADMIN_FORM_POST,
    ("admin.edit_referral_type", "GET"): ADMIN_PAGE,
    ("admin.edit_referral_type", "POST"): ADMIN_FORM_POST,
    ("admin.settings", "GET"): ADMIN_PAGE,
    ("admin.settings", "POST"): ADMIN_FORM_POST,
    # Public
    ("api-docs.openapi_json", "GET"): PUBLIC,
    ("health.healthz", "GET"): PUBLIC,
    ("pwa.web_manifest", "GET"): PUBLIC,
    ("pwa.service_worker", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
}

# Callers who may record for AMS-DCR1 (§1: "at their own sites"; an admin at all).
MAY_RECORD_AT_HOME_SITE = {"worker", "supervisor", "admin"}
OTHER_SITE_CALLERS = {"other_site_worker", "other_site_supervisor"}

# Routes that start or end a session: each is called on a client of its own for the same
# person, so that the walk's session survives them.
SESSION_CHANGING = {
    ("auth.login", "POST"),
    ("auth_api.login", "POST"),
    ("auth.logout", "POST"),
    ("auth_api.logout", "POST"),
}


def routes(app) -> list[tuple[str, str]]:
    """(endpoint, method) of every route in the URL map, HEAD and OPTIONS left out."""
    return sorted(
        {
            (rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}
        }
    )


# The callers and the records they are let at


@dataclass(frozen=True)
class Call:
    """How a route is called: URL values (path arguments and query, through url_for), a body,
    and the record it would store, if any."""

    values: dict = field(default_factory=dict)
    json: dict | None = None
    form: dict | None = None
    stores: tuple[type, str] | None = None


class ManagedUser(NamedTuple):
    user_id: int
    session_id: int  # the session of their phone


# The records the walk's writes try to store, each under an id of its own.
NEW_RECORDS = ("synced_contact", "form_contact", "form_incident", "follow_up", "stock_count")


class Caller:
    """One caller on a test client of its own; `csrf_token` belongs to its session (an
    anonymous visitor's comes from the sign-in page, as a browser's would)."""

    def __init__(self, who: str, client, username: str | None, csrf_token: str):
        self.who = who
        self.client = client
        self.username = username
        self.csrf_token = csrf_token

    @classmethod
    def signed_in(cls, who: str, api: ApiClient) -> "Caller":
        return cls(who, api.client, api.username, api.csrf_token)

    @classmethod
    def anonymous(cls, app) -> "Caller":
        client = app.test_client()
        return cls("anonymous", client, None, csrf_token_in(client.get("/login")))

    def again(self, app) -> "Caller":
        """The same person signed in afresh on another client (or another anonymous visitor)."""
        if self.username is None:
            return Caller.anonymous(app)
        return Caller.signed_in(self.who, ApiClient(app.test_client(), self.username))

    def send(self, method: str, url: str, call: Call):
        if method == "GET":
            return self.client.get(url)
        if url.startswith("/api/"):
            headers = {"X-CSRFToken": self.csrf_token}
            return self.client.post(url, json=call.json, headers=headers)
        return self.client.post(url, data={"csrf_token": self.csrf_token, **(call.form or {})})


@dataclass
class HomeRecords:
    """Records of AMS-DCR1, all made by the worker, and the ids the walk's writes will use."""

    owner: str
    contact: str
    contact_to_void: str
    incident: str
    incident_to_void: str
    referrals: list[str]
    new_ids: dict[str, str] = field(
        default_factory=lambda: {name: str(uuid.uuid4()) for name in NEW_RECORDS}
    )

    def existing_ids(self) -> list[str]:
        return [
            self.contact,
            self.contact_to_void,
            self.incident,
            self.incident_to_void,
            *self.referrals,
        ]


def calls(
    records: HomeRecords, caller: Caller, managed: ManagedUser, make_contact
) -> dict[tuple[str, str], Call]:
    """How to call each route that needs URL values or a body; others are called bare."""
    month = local_now().strftime("%Y-%m")
    form_time = local_now(2).strftime("%Y-%m-%dT%H:%M")
    new = records.new_ids
    report_of_home_site = {"site": HOME_SITE, "month": month}
    export_of_home_site = {"site": HOME_SITE, "from": month, "to": month}
    # Nobody signed in tries the worker's password: the sign-in doors are for everyone.
    credentials = {"username": caller.username or records.owner, "password": PASSWORD}
    void = {"reason": "entered twice"}
    return {
        ("auth.login", "POST"): Call(form=credentials),
        # A wrong current password: nothing changes, whoever calls.
        ("auth.change_password", "POST"): Call(
            form={"current": "not it", "password": "x" * 12, "repeated": "x" * 12}
        ),
        ("auth_api.login", "POST"): Call(json=credentials),
        ("sync_api.sync", "POST"): Call(
            json={"contacts": [make_contact(id=new["synced_contact"], referrals=[])]},
            stores=(Contact, new["synced_contact"]),
        ),
        ("sync_api.open_sealed", "POST"): Call(
            json=seal_record({"id": str(uuid.uuid4()), "site": HOME_SITE}, records.owner, SEAL_KEY)
        ),
        ("records_api.list_contacts", "GET"): Call({"site": HOME_SITE}),
        ("records_api.get_contact", "GET"): Call({"record_id": records.contact}),
        ("voids_api.void_contact", "POST"): Call({"record_id": records.contact_to_void}, json=void),
        ("records_api.list_incidents", "GET"): Call({"site": HOME_SITE}),
        ("records_api.get_incident", "GET"): Call({"record_id": records.incident}),
        ("voids_api.void_incident", "POST"): Call(
            {"record_id": records.incident_to_void}, json=void
        ),
        ("reports_api.monthly", "GET"): Call(report_of_home_site),
        ("reports_api.annual", "GET"): Call({"site": HOME_SITE, "year": month[:4]}),
        ("exports_api.monthly_csv", "GET"): Call(export_of_home_site),
        ("exports_api.monthly_xlsx", "GET"): Call(export_of_home_site),
        ("exports_api.annual_csv", "GET"): Call({"site": HOME_SITE, "year": month[:4]}),
        ("exports_api.annual_xlsx", "GET"): Call({"site": HOME_SITE, "year": month[:4]}),
        ("stock_api.get_stock", "GET"): Call({"site": HOME_SITE}),
        ("stock_api.list_movements", "GET"): Call({"site": HOME_SITE}),
        ("reports.dashboard", "GET"): Call(report_of_home_site),
        ("reports.referrals", "GET"): Call(report_of_home_site),
        ("reports.year", "GET"): Call({"site": HOME_SITE, "year": month[:4]}),
        ("exports.export_page", "GET"): Call({**export_of_home_site, "format": "csv"}),
        ("supplies.overview", "GET"): Call({"site": HOME_SITE}),
        ("supplies.new_movement", "GET"): Call({"kind": "received", "site": HOME_SITE}),
        ("supplies.new_movement", "POST"): Call(
            {"kind": "received", "site": HOME_SITE},
            form={
                "id": str(uuid.uuid4()),
                "occurred_at": form_time,
                "site": HOME_SITE,
                "item": "syringe_1ml",
                "quantity": "5",
            },
        ),
        ("supplies.history", "GET"): Call({"site": HOME_SITE}),
        ("supplies.levels", "GET"): Call({"site": HOME_SITE}),
        ("supplies.levels", "POST"): Call({"site": HOME_SITE}, form={"level-swab": "x"}),
        ("supplies.resolve_shortfall", "POST"): Call({"shortfall_id": 1, "site": HOME_SITE}),
        ("field.new_contact", "POST"): Call(
            form={
                "id": new["form_contact"],
                "occurred_at": form_time,
                "site": HOME_SITE,
                "kind": "dcr_visit",
                "item.syringe_1ml": "5",
            },
            stores=(Contact, new["form_contact"]),
        ),
        ("field.new_incident", "POST"): Call(
            form={
                "id": new["form_incident"],
                "occurred_at": form_time,
                "site": HOME_SITE,
                "kind": "opioid_overdose",
                "naloxone_doses": "1",
                "outcome": "recovered_on_site",
            },
            stores=(Incident, new["form_incident"]),
        ),
        ("field.referrals", "POST"): Call(
            form={
                "id": new["follow_up"],
                "referral_id": records.referrals[0],
                "status": "attended",
                "occurred_at": local_now().isoformat(),
            },
            stores=(ReferralStatusChange, new["follow_up"]),
        ),
        ("field.stock", "POST"): Call(
            form={
                "id": new["stock_count"],
                "occurred_at": form_time,
                "site": HOME_SITE,
                "item": "syringe_1ml",
                "kind": "count",
                "quantity": "40",
            },
            stores=(StockMovement, new["stock_count"]),
        ),
        ("admin.set_user_active", "POST"): Call({"user_id": managed.user_id}, form={"active": "0"}),
        ("admin.revoke_user_sessions", "POST"): Call({"user_id": managed.user_id}),
        ("admin.end_user_session", "POST"): Call(
            {"user_id": managed.user_id, "session_id": managed.session_id}
        ),
        ("auth.end_own_session", "POST"): Call({"session_id": managed.session_id}),
        ("admin.edit_user", "GET"): Call({"user_id": managed.user_id}),
        ("admin.edit_user", "POST"): Call(
            {"user_id": managed.user_id}, form={"role": "worker", "sites": HOME_SITE}
        ),
        ("admin.new_user", "POST"): Call(
            form={"username": "", "password": "", "role": "worker"}  # refused as invalid
        ),
        # The catalog forms are sent with an empty name: refused, so the walk changes nothing.
        ("admin.new_site", "POST"): Call(form={"code": "NEW-1", "name": "", "kind": "dcr"}),
        ("admin.edit_site", "GET"): Call({"code": HOME_SITE}),
        ("admin.edit_site", "POST"): Call({"code": HOME_SITE}, form={"name": "", "kind": "dcr"}),
        ("admin.new_equipment_item", "POST"): Call(form={"code": "new_item", "name_en": ""}),
        ("admin.edit_equipment_item", "GET"): Call({"code": "syringe_1ml"}),
        ("admin.edit_equipment_item", "POST"): Call({"code": "syringe_1ml"}, form={"name_en": ""}),
        ("admin.new_referral_type", "POST"): Call(form={"code": "new_type", "name_en": ""}),
        ("admin.edit_referral_type", "GET"): Call({"code": "hcv_test"}),
        ("admin.edit_referral_type", "POST"): Call({"code": "hcv_test"}, form={"name_en": ""}),
        ("admin.settings", "POST"): Call(form={"time_zone": "Nowhere/Atlantis"}),  # invalid
        ("static", "GET"): Call({"filename": "css/app.css"}),
    }


@pytest.fixture
def home_records(login_as, make_contact, make_incident) -> tuple[ApiClient, HomeRecords]:
    """The worker of AMS-DCR1, signed in, and the records they synced a few minutes ago."""
    worker = login_as("worker", sites=(HOME_SITE,))
    contacts = [make_contact(site=HOME_SITE), make_contact(site=HOME_SITE)]
    incidents = [make_incident(site=HOME_SITE), make_incident(site=HOME_SITE)]
    response = worker.sync(contacts=contacts, incidents=incidents)
    assert response.status_code == 200, response.get_json()
    assert {result["status"] for result in response.get_json()["results"]} == {"created"}
    return worker, HomeRecords(
        owner=worker.username,
        contact=contacts[0]["id"],
        contact_to_void=contacts[1]["id"],
        incident=incidents[0]["id"],
        incident_to_void=incidents[1]["id"],
        referrals=[referral["id"] for contact in contacts for referral in contact["referrals"]],
    )


@pytest.fixture
def sign_in(app, login_as, home_records) -> Callable[[str], Caller]:
    """`sign_in(who)`: the caller, signed in once (the worker is the records' owner)."""
    owner, _records = home_records
    roles_and_sites = {
        "supervisor": ("supervisor", (HOME_SITE,)),
        "admin": ("admin", ()),
        "other_site_worker": ("worker", (OTHER_SITE,)),
        "other_site_supervisor": ("supervisor", (OTHER_SITE,)),
    }

    def sign_in(who: str) -> Caller:
        if who == "anonymous":
            return Caller.anonymous(app)
        if who == "worker":
            return Caller.signed_in(who, owner)
        role, sites = roles_and_sites[who]
        return Caller.signed_in(who, login_as(role, sites=sites))

    return sign_in


@pytest.fixture
def managed_user(app, make_user) -> ManagedUser:
    """A worker of AMS-DCR1, signed in on a phone, for the admin pages to deactivate and sign
    out (and for nobody else to sign out)."""
    username = make_user("worker", sites=(HOME_SITE,))
    ApiClient(app.test_client(), username)
    with app.app_context():
        user_id = db.session.execute(select(User.id).where(User.username == username)).scalar_one()
        session_id = db.session.execute(
            select(UserSession.id).where(UserSession.user_id == user_id)
        ).scalar_one()
    return ManagedUser(user_id, session_id)


def is_stored(app, model, record_id: str) -> bool:
    with app.app_context():
        return db.session.get(model, uuid.UUID(record_id)) is not None


def api_error_fault(url: str, response) -> str | None:
    """DESIGN §6: every API error is JSON carrying its own status code."""
    if not url.startswith("/api/") or response.status_code < 400:
        return None
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or body.get("code") != response.status_code:
        return f"answered {response.status_code} without the JSON error body"
    return None


def answer_fault(app, who, records: HomeRecords, call: Call, url, response, expected) -> str | None:
    """What is wrong with an answer to `who`: its status or redirect, an API error that is not
    JSON, an AMS-DCR1 record shown to another site's user, or a record stored (or not) against
    who may record at AMS-DCR1."""
    fault = expected.fault(response) or api_error_fault(url, response)
    if fault:
        return fault
    if who in OTHER_SITE_CALLERS:
        body = response.get_data()
        leaked = [record_id for record_id in records.existing_ids() if record_id.encode() in body]
        if leaked:
            return f"showed {HOME_SITE} records {leaked}"
    if call.stores is not None:
        model, record_id = call.stores
        stored = is_stored(app, model, record_id)
        if stored != (who in MAY_RECORD_AT_HOME_SITE):
            return f"{'stored' if stored else 'did not store'} a {HOME_SITE} record"
    return None


# The tests


def test_every_route_has_an_access_rule_and_every_rule_a_route(app):
    present = set(routes(app))
    missing = [
        f"route {endpoint} {method} has no access rule: add one to RULES"
        for endpoint, method in sorted(present - RULES.keys())
    ]
    stale = [
        f"rule {endpoint} {method} names no route in the URL map: remove it from RULES"
        for endpoint, method in sorted(RULES.keys() - present)
        if (endpoint, method) != ADMIN_AUDIT
    ]
    assert not missing + stale, "\n".join(missing + stale)


@pytest.mark.parametrize("who", CALLERS)
def test_every_route_answers_the_caller_as_design_section_1_says(
    app, who, sign_in, home_records, managed_user, make_contact
):
    _owner, records = home_records
    caller = sign_in(who)
    how_to_call = calls(records, caller, managed_user, make_contact)
    failures = []
    for endpoint, method in routes(app):
        access = RULES.get((endpoint, method))
        if access is None:
            failures.append(f"route {endpoint} {method} has no access rule: add one to RULES")
            continue
        call = how_to_call.get((endpoint, method), Call())
        try:
            with app.test_request_context():
                url = url_for(endpoint, **call.values)
        except BuildError:
            failures.append(f"route {endpoint} needs URL values: add a Call to calls()")
            continue
        sender = caller.again(app) if (endpoint, method) in SESSION_CHANGING else caller
        response = sender.send(method, url, call)
        # Read and close every answer, as a browser does: a streamed export keeps its request
        # (and its database transaction) open until then.
        response.get_data()
        response.close()
        expected = getattr(access, who)
        fault = answer_fault(app, who, records, call, url, response, expected)
        if fault:
            failures.append(
                f"{who}: {method} {url} ({endpoint}) {fault}; expected {expected.meaning}"
            )
    assert not failures, f"{len(failures)} problems with DESIGN §1:\n" + "\n".join(failures)
