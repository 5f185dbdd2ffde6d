"""Reading and voiding records through the API: who sees and voids what (DESIGN §1, §6)."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from outreach.records.models import Contact, Incident

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KINDS = ["contacts", "incidents"]
MODELS = {"contacts": Contact, "incidents": Incident}

# Who may read (and void, while the record is fresh) one of the owner's records.
ACCESS = [
    ("anonymous", 401),
    ("owner", 200),
    ("colleague", 403),
    ("supervisor", 200),
    ("other_supervisor", 403),
    ("other_worker", 403),
    ("admin", 200),
]
# Who finds the owner's record in a list.
LISTED = [
    ("owner", True),
    ("colleague", False),
    ("supervisor", True),
    ("other_supervisor", False),
    ("other_worker", False),
    ("admin", True),
]


def local_noon(days_ago: int) -> datetime:
    """Noon in Amsterdam `days_ago` days back: safely inside that local day, never in the future."""
    day = datetime.now(AMSTERDAM).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=AMSTERDAM)


def ids(response, plural) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [record["id"] for record in response.get_json()[plural]]


def audit_events(app, action) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(db.session.execute(query).scalars())


# Reading one record


@pytest.mark.parametrize("plural", KINDS)
@pytest.mark.parametrize(("who", "status"), ACCESS)
def test_reading_a_record_follows_role_and_site(team, record_for, plural, who, status):
    record_id = record_for(team["owner"], plural)

    response = team[who].get(f"/api/v1/{plural}/{record_id}")

    assert response.status_code == status, response.get_json()
    body = response.get_json()
    if status == 200:
        assert body["id"] == record_id
        assert body["site"] == "AMS-DCR1"
        assert body["recorded_by"] == "owner"
        assert body["voided"] is False
    else:
        assert body["code"] == status
        assert "message" in body
        assert "recorded_by" not in body


def test_contact_detail_has_what_the_device_sent(team, make_contact):
    contact = make_contact(
        people_count=1,
        flags=["injects", "homeless"],
        items=[{"code": "syringe_1ml", "quantity": 20}, {"code": "naloxone_kit", "quantity": 1}],
        returned_syringes=12,
    )
    team["owner"].sync(contacts=[contact])

    body = team["owner"].get(f"/api/v1/contacts/{contact['id']}").get_json()

    assert body["kind"] == "dcr_visit"
    assert body["flags"] == ["injects", "homeless"]
    assert body["substances"] == ["heroin"]
    assert sorted((item["code"], item["quantity"]) for item in body["items"]) == [
        ("naloxone_kit", 1),
        ("syringe_1ml", 20),
    ]
    assert body["returned_syringes"] == 12
    [referral] = body["referrals"]
    assert referral["id"] == contact["referrals"][0]["id"]
    assert (referral["type"], referral["status"]) == ("hcv_test", "made")
    # A pseudonym, never the code the worker typed (DESIGN §3).
    assert body["client_alias"]
    assert "JADE0101M" not in str(body)
    assert "client_code" not in body


@pytest.mark.parametrize("plural", KINDS)
def test_unknown_record_is_404_json(team, plural):
    for record_id in (uuid.uuid4(), "not-a-uuid"):
        response = team["admin"].get(f"/api/v1/{plural}/{record_id}")

        assert response.status_code == 404
        assert response.get_json()["code"] == 404


# Lists


@pytest.mark.parametrize("plural", KINDS)
@pytest.mark.parametrize(("who", "listed"), LISTED)
def test_lists_show_records_by_role_and_site(team, record_for, plural, who, listed):
    record_id = record_for(team["owner"], plural)

    assert (record_id in ids(team[who].get(f"/api/v1/{plural}"), plural)) is listed


@pytest.mark.parametrize("plural", KINDS)
def test_lists_need_sign_in(team, plural):
    response = team["anonymous"].get(f"/api/v1/{plural}")

    assert response.status_code == 401
    assert response.get_json()["code"] == 401


@pytest.mark.parametrize("plural", KINDS)
def test_worker_sees_own_records_of_the_last_7_days_only(team, record_for, change_record, plural):
    recent = record_for(team["owner"], plural, occurred_at=local_noon(6).isoformat())
    old = record_for(team["owner"], plural, occurred_at=local_noon(8).isoformat())
    # Received two days ago: no longer the worker's to void, so no longer theirs to read.
    change_record(MODELS[plural], old, received_at=datetime.now(UTC) - timedelta(days=2))
    owner = team["owner"]

    assert ids(owner.get(f"/api/v1/{plural}"), plural) == [recent]
    # Asking for older dates does not widen the window.
    since = local_noon(20).date().isoformat()
    assert ids(owner.get(f"/api/v1/{plural}", query_string={"from": since}), plural) == [recent]
    assert owner.get(f"/api/v1/{plural}/{recent}").status_code == 200
    assert owner.get(f"/api/v1/{plural}/{old}").status_code == 403
    # The site still sees both.
    assert ids(team["supervisor"].get(f"/api/v1/{plural}"), plural) == [recent, old]
    assert team["supervisor"].get(f"/api/v1/{plural}/{old}").status_code == 200


@pytest.mark.parametrize("plural", KINDS)
def test_a_worker_reads_their_record_for_as_long_as_they_may_void_it(
    team, record_for, change_record, plural
):
    """Dated 30 days back and synced a minute ago: voidable for 24 hours, so readable too."""
    owner = team["owner"]
    late = record_for(owner, plural, occurred_at=local_noon(30).isoformat())
    assert owner.get(f"/api/v1/{plural}/{late}").status_code == 200
    assert late in ids(owner.get(f"/api/v1/{plural}"), plural)
    change_record(MODELS[plural], late, received_at=datetime.now(UTC) - timedelta(hours=25))
    assert owner.get(f"/api/v1/{plural}/{late}").status_code == 403
    assert late not in ids(owner.get(f"/api/v1/{plural}"), plural)
    response = owner.post(f"/api/v1/{plural}/{late}/void", json={"reason": "entered twice"})
    assert response.status_code == 403


@pytest.mark.parametrize("plural", KINDS)
def test_lists_filter_by_local_dates_newest_first(team, record_for, plural):
    made = {
        days: record_for(team["owner"], plural, occurred_at=local_noon(days).isoformat())
        for days in (1, 3, 5)
    }
    supervisor = team["supervisor"]

    def listed(**query):
        return ids(supervisor.get(f"/api/v1/{plural}", query_string=query), plural)

    day = {days: local_noon(days).date().isoformat() for days in (1, 3, 5)}
    assert listed() == [made[1], made[3], made[5]]
    assert listed(**{"from": day[3]}) == [made[1], made[3]]
    assert listed(to=day[3]) == [made[3], made[5]]
    assert listed(**{"from": day[3], "to": day[3]}) == [made[3]]


def test_date_filter_uses_the_organisations_day(team, record_for):
    """23:30 in Amsterdam on a day is that day, although it is the next day's 21:30/22:30 UTC."""
    late = local_noon(2).replace(hour=23, minute=30)
    late_id = record_for(team["owner"], "contacts", occurred_at=late.isoformat())
    day = late.date()

    def listed(**query):
        return ids(team["supervisor"].get("/api/v1/contacts", query_string=query), "contacts")

    assert listed(**{"from": day.isoformat(), "to": day.isoformat()}) == [late_id]
    next_day = (day + timedelta(days=1)).isoformat()
    assert listed(**{"from": next_day, "to": next_day}) == []


@pytest.mark.parametrize("plural", KINDS)
def test_lists_filter_by_site(app, make_user, login_as, record_for, plural):
    worker = login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))
    at_dcr = record_for(worker, plural, site="AMS-DCR1")
    at_street = record_for(worker, plural, site="AMS-OUT1")
    supervisor = login_as("supervisor", sites=("AMS-DCR1", "AMS-OUT1"))

    def listed(api, **query):
        return ids(api.get(f"/api/v1/{plural}", query_string=query), plural)

    assert sorted(listed(supervisor)) == sorted([at_dcr, at_street])
    assert listed(supervisor, site="AMS-OUT1") == [at_street]
    assert listed(supervisor, site="AMS-DCR1") == [at_dcr]
    # A site that is not theirs gives nothing, not someone else's records.
    assert listed(login_as("supervisor", sites=("RTM-NSP1",)), site="AMS-DCR1") == []
    assert listed(login_as("admin", sites=()), site="AMS-OUT1") == [at_street]


@pytest.mark.parametrize("plural", KINDS)
def test_lists_are_paged(team, record_for, plural):
    made = [
        record_for(team["owner"], plural, occurred_at=local_noon(days).isoformat())
        for days in (1, 2, 3)
    ]
    supervisor = team["supervisor"]

    def page(number):
        response = supervisor.get(f"/api/v1/{plural}", query_string={"page": number, "per_page": 2})
        body = response.get_json()
        assert (body["page"], body["per_page"], body["total"]) == (number, 2, 3)
        return ids(response, plural)

    assert page(1) == made[:2]
    assert page(2) == made[2:]
    assert page(3) == []


def test_bad_list_arguments_are_422(team):
    for query in (
        {"from": "yesterday"},
        {"to": "2026-13-01"},
        {"page": "0"},
        {"page": "two"},
        {"per_page": "1000"},
        # Days whose midnight in Amsterdam has no UTC time in Python's calendar.
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
    ):
        response = team["supervisor"].get("/api/v1/contacts", query_string=query)

        assert response.status_code == 422, query
        body = response.get_json()
        assert body["code"] == 422
        assert set(body["errors"]) == set(query)


# Voiding


@pytest.mark.parametrize("plural", KINDS)
@pytest.mark.parametrize(("who", "status"), ACCESS)
def test_voiding_follows_role_and_site(app, team, record_for, plural, who, status):
    record_id = record_for(team["owner"], plural)

    response = team[who].post(
        f"/api/v1/{plural}/{record_id}/void", json={"reason": "Entered twice"}
    )

    assert response.status_code == status, response.get_json()
    with app.app_context():
        record = db.session.get(MODELS[plural], uuid.UUID(record_id))
        assert record.is_voided is (status == 200)
    if status == 200:
        body = response.get_json()
        assert body["voided"] is True
        assert body["void_reason"] == "Entered twice"
        assert body["voided_at"]


@pytest.mark.parametrize("plural", KINDS)
@pytest.mark.parametrize(("hours", "status"), [(23, 200), (25, 403)])
def test_worker_voids_own_record_within_24_hours_only(
    team, record_for, change_record, plural, hours, status
):
    record_id = record_for(team["owner"], plural)
    received_at = datetime.now(UTC) - timedelta(hours=hours)
    change_record(MODELS[plural], record_id, received_at=received_at)

    response = team["owner"].post(f"/api/v1/{plural}/{record_id}/void", json={"reason": "Typo"})

    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize("plural", KINDS)
def test_supervisor_voids_an_old_record_of_their_site(team, record_for, change_record, plural):
    record_id = record_for(team["owner"], plural)
    change_record(MODELS[plural], record_id, received_at=datetime.now(UTC) - timedelta(days=5))

    response = team["supervisor"].post(
        f"/api/v1/{plural}/{record_id}/void", json={"reason": "Wrong site"}
    )

    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("plural", KINDS)
def test_voiding_twice_is_a_conflict(team, record_for, plural):
    record_id = record_for(team["owner"], plural)
    url = f"/api/v1/{plural}/{record_id}/void"
    assert team["owner"].post(url, json={"reason": "Entered twice"}).status_code == 200

    again = team["supervisor"].post(url, json={"reason": "Something else"})

    assert again.status_code == 409
    assert again.get_json()["code"] == 409
    # The first reason stands.
    body = team["supervisor"].get(f"/api/v1/{plural}/{record_id}").get_json()
    assert body["void_reason"] == "Entered twice"


@pytest.mark.parametrize("plural", KINDS)
def test_void_needs_a_reason(app, team, record_for, plural):
    record_id = record_for(team["owner"], plural)
    url = f"/api/v1/{plural}/{record_id}/void"

    # Spaces alone are no reason either: the reason is stored stripped.
    for payload in (
        {},
        {"reason": ""},
        {"reason": "x"},
        {"reason": "     "},
        {"reason": "x" * 201},
    ):
        response = team["owner"].post(url, json=payload)
        assert response.status_code == 422, payload
        assert "reason" in response.get_json()["errors"], payload

    with app.app_context():
        assert not db.session.get(MODELS[plural], uuid.UUID(record_id)).is_voided


def test_void_without_csrf_token_is_refused(app, team, record_for):
    record_id = record_for(team["owner"], "contacts")
    owner = team["owner"]

    response = owner.client.post(
        f"/api/v1/contacts/{record_id}/void", json={"reason": "Entered twice"}
    )

    assert response.status_code == 400
    assert owner.get(f"/api/v1/contacts/{record_id}").get_json()["voided"] is False


@pytest.mark.parametrize("plural", KINDS)
def test_void_unknown_record_is_404(team, plural):
    response = team["admin"].post(
        f"/api/v1/{plural}/{uuid.uuid4()}/void", json={"reason": "Entered twice"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize("plural", KINDS)
def test_voided_records_leave_the_lists_and_enter_the_audit_log(app, team, record_for, plural):
    kept = record_for(team["owner"], plural)
    voided = record_for(team["owner"], plural)
    team["owner"].post(f"/api/v1/{plural}/{voided}/void", json={"reason": "Entered twice"})

    for who in ("owner", "supervisor", "admin"):
        listed = team[who].get(f"/api/v1/{plural}")
        assert ids(listed, plural) == [kept], who
        assert listed.get_json()["total"] == 1
    # Still stored and readable, marked voided.
    assert team["supervisor"].get(f"/api/v1/{plural}/{voided}").get_json()["voided"] is True

    [event] = audit_events(app, "void")
    assert event.actor_name == "owner"
    assert event.target == f"{MODELS[plural].__tablename__}:{voided}"
    assert "Entered twice" in event.detail


# Referrals waiting for follow-up

# Who finds the owner's open referral in GET /api/v1/referrals.
REFERRALS_LISTED = LISTED


@pytest.mark.parametrize(("who", "listed"), REFERRALS_LISTED)
def test_open_referrals_by_role_and_site(team, make_contact, who, listed):
    contact = make_contact()
    team["owner"].sync(contacts=[contact])
    referral_id = contact["referrals"][0]["id"]

    response = team[who].get("/api/v1/referrals")

    assert response.status_code == 200
    found = [r for r in response.get_json()["referrals"] if r["id"] == referral_id]
    assert bool(found) is listed
    if listed:
        [referral] = found
        assert referral["contact_id"] == contact["id"]
        assert (referral["type"], referral["status"]) == ("hcv_test", "made")
        assert (referral["site"], referral["referred_to"]) == ("AMS-DCR1", "GGD")


def test_open_referrals_need_sign_in(team):
    assert team["anonymous"].get("/api/v1/referrals").status_code == 401


def test_referrals_leave_the_open_list_when_followed_up_or_voided(team, make_contact):
    followed, voided, waiting = make_contact(), make_contact(), make_contact()
    owner = team["owner"]
    owner.sync(contacts=[followed, voided, waiting])
    update = {
        "id": str(uuid.uuid4()),
        "referral_id": followed["referrals"][0]["id"],
        "status": "attended",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    assert owner.sync(referral_updates=[update]).get_json()["results"][0]["status"] == "created"
    owner.post(f"/api/v1/contacts/{voided['id']}/void", json={"reason": "Entered twice"})

    def referral_ids(**query):
        response = owner.get("/api/v1/referrals", query_string=query)
        assert response.status_code == 200
        return {referral["id"] for referral in response.get_json()["referrals"]}

    assert referral_ids() == {waiting["referrals"][0]["id"]}
    assert referral_ids(status="attended") == {followed["referrals"][0]["id"]}


def test_unknown_referral_status_is_422(team):
    response = team["owner"].get("/api/v1/referrals", query_string={"status": "lost"})

    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]
