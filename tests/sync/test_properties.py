"""Properties of `POST /api/v1/sync` (DESIGN §6, §8), with Hypothesis.

Each example is a little history of a device: a few contacts and incidents, sent over several
requests, in random order, with retries of earlier records (the same content, or the same content
with its lists in another order: "duplicate"), other content under an id already used
("conflict"), bad records (unknown codes, a site the worker does not work at, bad times, wrong
types: "rejected") and now and then a body that is not of the right shape (422, nothing written).

A model of the server says what each record should be answered: the first content accepted under
an id is the one stored, for good. After each request the answers must be the model's; after the
last one the database must hold exactly what the model accepted, and the totals (syringes, the
monthly report's contacts, syringes and incidents, read from the roll-ups) must count exactly that.
"""

import copy
import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from outreach.catalog.models import EquipmentItem, Site
from outreach.clients.models import Client
from outreach.clients.service import normalise_code
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_of

# What a reset keeps: the catalog, the sites and the signed-in worker.
KEPT_TABLES = {
    "equipment_items",
    "referral_types",
    "settings",
    "sites",
    "users",
    "user_sites",
    "sessions",
}
SYRINGES = ("syringe_1ml", "syringe_2ml")
ITEMS = (*SYRINGES, "needle", "swab", "foil", "naloxone_kit")
CLIENT_CODES = ("JADE0101M", "PIET0202X", "ANNA1212F")
REFERRAL_TYPES = ("hcv_test", "hiv_test", "housing")
MAX_DAYS_BACK = 45  # well inside OUTREACH_MAX_BACKDATE_DAYS (90)

# Ways to spoil a record so that loading it fails, whatever is stored: (field, value).
CONTACT_BREAKERS = [
    ("occurred_at", "yesterday evening"),
    ("occurred_at", "2026-13-45T25:61:00+01:00"),
    ("occurred_at", "naive"),  # the time without its UTC offset
    ("occurred_at", "future"),  # a day ahead
    ("occurred_at", "ancient"),  # 200 days back
    ("occurred_at", 1_700_000_000),
    ("kind", "tea_party"),
    ("people_count", "many"),
    ("people_count", 0),
    ("items", "twenty syringes"),
    ("items", [{"code": "syringe_1ml", "quantity": 0}]),
    ("items", [{"code": "syringe_1ml", "quantity": 2.5}]),
    ("items", [{"code": "swab", "quantity": 1}, {"code": "swab", "quantity": 2}]),
    ("flags", "injects"),
    ("flags", ["injects", "injects"]),
    ("referrals", {"type": "hcv_test"}),
    ("returned_syringes", -1),
    ("birth_year", 1800),
    ("client_code", "J"),
    ("site", None),
    ("site", 42),
]
INCIDENT_BREAKERS = [
    ("occurred_at", "now-ish"),
    ("occurred_at", "future"),
    ("occurred_at", "naive"),
    ("kind", "paper_cut"),
    ("naloxone_doses", 99),
    ("naloxone_doses", "two"),
    ("ambulance_called", "perhaps"),
    ("outcome", "vanished"),
    ("site", ["AMS-DCR1"]),
]
# Ways to make a record the service turns down for its codes: rejected, unless its id is stored
# already, in which case it is other content under that id (conflict), as the service checks
# the id before the codes.
CONTACT_BAD_CODES = ["unknown_site", "other_site", "unknown_item", "unknown_referral_type"]
INCIDENT_BAD_CODES = ["unknown_site", "other_site"]
BODY_BREAKERS = [42, "contact", None, ["a", "list"]]
# How a record is sent, weighted towards valid content: as first made, the same content again
# in another form, other content under its id, spoilt, or with codes the service turns down.
VARIANTS = ["original"] * 3 + ["equivalent"] * 2 + ["other_content"] * 2 + ["broken"] * 2
VARIANTS += ["bad_code"]


def device_time(moment: datetime, minutes_ago: int, offset_hours: int) -> str:
    return (
        (moment - timedelta(minutes=minutes_ago))
        .astimezone(timezone(timedelta(hours=offset_hours)))
        .isoformat()
    )


# What a device may have recorded, in the abstract; rendered to JSON in each example.

contact_specs = st.fixed_dictionaries(
    {
        "minutes_ago": st.integers(1, MAX_DAYS_BACK * 24 * 60),
        "offset_hours": st.sampled_from([1, 2, 0, -5]),
        "kind": st.sampled_from(["dcr_visit", "drop_in", "nsp_exchange"]),
        "client_code": st.sampled_from([None, *CLIENT_CODES]),
        "people_count": st.integers(1, 4),
        "flags": st.lists(st.sampled_from(["injects", "smokes", "homeless"]), unique=True),
        "items": st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 50), max_size=4),
        "returned_syringes": st.none() | st.integers(0, 40),
        "referral_type": st.none() | st.sampled_from(REFERRAL_TYPES),
    }
)
incident_specs = st.fixed_dictionaries(
    {
        "minutes_ago": st.integers(1, MAX_DAYS_BACK * 24 * 60),
        "offset_hours": st.sampled_from([1, 2, 0, -5]),
        "kind": st.sampled_from(["opioid_overdose", "stimulant_overdose"]),
        "naloxone_doses": st.integers(0, 5),
        "ambulance_called": st.booleans(),
        "outcome": st.sampled_from(["recovered_on_site", "hospital", "unknown"]),
    }
)


@st.composite
def histories(draw):
    # Few records, sent often: so that ids come back, as retries and as conflicts.
    contacts = draw(st.lists(contact_specs, min_size=1, max_size=4))
    incidents = draw(st.lists(incident_specs, max_size=2))
    # Ids of the contacts, of their referrals and of the incidents: all different.
    ids = draw(
        st.lists(
            st.uuids(version=4).map(str),
            min_size=2 * len(contacts) + len(incidents),
            max_size=2 * len(contacts) + len(incidents),
            unique=True,
        )
    )
    for number, contact in enumerate(contacts):
        contact["id"], contact["referral_id"] = ids[2 * number], ids[2 * number + 1]
    for number, incident in enumerate(incidents):
        incident["id"] = ids[2 * len(contacts) + number]

    def variants(breakers, bad_codes):
        def with_detail(variant):
            if variant == "broken":
                return st.sampled_from(breakers).map(lambda breaker: (variant, breaker))
            if variant == "bad_code":
                return st.sampled_from(bad_codes).map(lambda code: (variant, code))
            return st.just((variant, None))

        return st.sampled_from(VARIANTS).flatmap(with_detail)

    sends = st.one_of(
        st.tuples(
            st.just("contact"),
            st.integers(0, len(contacts) - 1),
            variants(CONTACT_BREAKERS, CONTACT_BAD_CODES),
        ),
        *(
            [
                st.tuples(
                    st.just("incident"),
                    st.integers(0, len(incidents) - 1),
                    variants(INCIDENT_BREAKERS, INCIDENT_BAD_CODES),
                )
            ]
            if incidents
            else []
        ),
    )
    requests = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "sends": st.lists(sends, min_size=1, max_size=8),
                    # The device did not get the answer to its last request and sends that
                    # again (one in four).
                    "retry": st.sampled_from([False, False, False, True]),
                    # Now and then a body with a record that is not a JSON object at all: the
                    # index of the breaker in BODY_BREAKERS (one request in six).
                    "malformed": st.sampled_from([None] * 20 + list(range(len(BODY_BREAKERS)))),
                }
            ),
            min_size=2,
            max_size=5,
        )
    )
    return {"contacts": contacts, "incidents": incidents, "requests": requests}


# Rendering the abstract records as a device sends them


def render_contact(spec: dict, variant: str, detail, moment: datetime) -> dict:
    anonymous = spec["client_code"] is None
    record = {
        "id": spec["id"],
        "occurred_at": device_time(moment, spec["minutes_ago"], spec["offset_hours"]),
        "site": "AMS-DCR1",
        "kind": spec["kind"],
        "client_code": spec["client_code"],
        # A group contact is anonymous (with a client code, one person).
        "people_count": spec["people_count"] if anonymous else 1,
        "flags": list(spec["flags"]),
        "items": [{"code": code, "quantity": n} for code, n in spec["items"].items()],
        "returned_syringes": spec["returned_syringes"],
        "referrals": (
            [{"id": spec["referral_id"], "type": spec["referral_type"], "referred_to": "GGD"}]
            if spec["referral_type"]
            else []
        ),
    }
    if variant == "equivalent":
        # The same content as the device may send it again: lists in another order, the client
        # code as typed in lower case.
        record["flags"].reverse()
        record["items"].reverse()
        if record["client_code"]:
            record["client_code"] = record["client_code"].lower()
    elif variant == "other_content":
        record["returned_syringes"] = (spec["returned_syringes"] or 0) + 1
    elif variant == "broken":
        field, value = detail
        record[field] = time_breaker(value, spec, moment) if field == "occurred_at" else value
    elif variant == "bad_code":
        if detail == "unknown_site":
            record["site"] = "NOWHERE"
        elif detail == "other_site":
            record["site"] = "AMS-OUT1"  # a site, but not the worker's
        elif detail == "unknown_item":
            record["items"] = [*record["items"], {"code": "unicorn_horn", "quantity": 1}]
        else:
            record["referrals"] = [{"id": spec["referral_id"], "type": "astrology"}]
    return record


def render_incident(spec: dict, variant: str, detail, moment: datetime) -> dict:
    record = {
        "id": spec["id"],
        "occurred_at": device_time(moment, spec["minutes_ago"], spec["offset_hours"]),
        "site": "AMS-DCR1",
        "kind": spec["kind"],
        "naloxone_doses": spec["naloxone_doses"],
        "ambulance_called": spec["ambulance_called"],
        "outcome": spec["outcome"],
    }
    if variant == "equivalent":
        record = dict(reversed(record.items()))
    elif variant == "other_content":
        record["naloxone_doses"] = spec["naloxone_doses"] + 1
    elif variant == "broken":
        field, value = detail
        record[field] = time_breaker(value, spec, moment) if field == "occurred_at" else value
    elif variant == "bad_code":
        record["site"] = "NOWHERE" if detail == "unknown_site" else "AMS-OUT1"
    return record


def time_breaker(value, spec: dict, moment: datetime):
    if value == "naive":
        return (moment - timedelta(minutes=spec["minutes_ago"])).replace(tzinfo=None).isoformat()
    if value == "future":
        return (moment + timedelta(days=1)).isoformat()
    if value == "ancient":
        return (moment - timedelta(days=200)).isoformat()
    return value


# The model: what the server should answer, and what it should then hold


def content_of(record: dict) -> str:
    """What makes two sendings of a record the same content: lists in any order, the client code
    in any case."""
    record = copy.deepcopy(record)
    for key in ("flags", "substances"):
        record[key] = sorted(record.get(key, []))
    if "items" in record:
        record["items"] = sorted(record["items"], key=lambda item: item["code"])
    if record.get("client_code"):
        record["client_code"] = normalise_code(record["client_code"])
    return json.dumps(record, sort_keys=True)


class Model:
    def __init__(self):
        self.stored = {"contact": {}, "incident": {}}  # id -> (content, record first accepted)

    def answer(self, kind: str, record: dict, variant: str) -> str:
        stored = self.stored[kind]
        if variant == "broken":
            return "rejected"
        if record["id"] in stored:
            return "duplicate" if stored[record["id"]][0] == content_of(record) else "conflict"
        if variant == "bad_code":
            return "rejected"
        stored[record["id"]] = (content_of(record), record)
        return "created"

    def records(self, kind: str) -> dict[str, dict]:
        return {record_id: record for record_id, (_c, record) in self.stored[kind].items()}


def reset_records(app) -> None:
    """Delete every record, client, roll-up and audit row, as the `app` fixture does after a
    test: each example starts from the catalog, the sites and the signed-in worker."""
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


def row_counts() -> dict:
    """Rows of each table a sync writes (in the caller's app context)."""
    return {
        model.__tablename__: db.session.execute(
            select(func.count()).select_from(model)
        ).scalar_one()
        for model in (Contact, ContactItem, Referral, Incident, Client)
    }


def syringe_total(records) -> int:
    return sum(
        item["quantity"]
        for record in records
        for item in record["items"]
        if item["code"] in SYRINGES
    )


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same histories on every run: CI is stable
    database=None,
    # `app` and `worker` are made once for the test; each example clears the records itself
    # (reset_records) and needs nothing else from them afresh.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_sync_stores_each_record_once_with_the_content_first_accepted(app, worker, history):
    reset_records(app)
    moment = datetime.now(UTC)
    model = Model()
    answered_created = Counter()
    render = {"contact": render_contact, "incident": render_incident}
    specs = {"contact": history["contacts"], "incident": history["incidents"]}

    previous = None
    for request in history["requests"]:
        sends = previous if request["retry"] and previous else request["sends"]
        previous = sends
        batch = {"contact": [], "incident": []}
        for kind, index, (variant, detail) in sends:
            record = render[kind](specs[kind][index], variant, detail, moment)
            batch[kind].append((record, variant))
        body = {
            "contacts": [record for record, _v in batch["contact"]],
            "incidents": [record for record, _v in batch["incident"]],
        }
        if request["malformed"] is not None:
            with app.app_context():
                before = row_counts()
            body["contacts"].append(BODY_BREAKERS[request["malformed"]])
            response = worker.post("/api/v1/sync", json=body)
            assert response.status_code == 422, response.get_data(as_text=True)
            assert response.get_json()["code"] == 422
            with app.app_context():
                assert row_counts() == before  # a malformed body writes nothing
            continue

        expected = []
        for kind in ("contact", "incident"):
            seen = set()
            for record, variant in batch[kind]:
                if record["id"] in seen:  # the same id twice in one request: the later one
                    expected.append((kind, record["id"], "rejected"))
                    continue
                seen.add(record["id"])
                expected.append((kind, record["id"], model.answer(kind, record, variant)))
        response = worker.post("/api/v1/sync", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.get_json()["results"]
        answered = [(result["type"], result["id"], result["status"]) for result in results]
        assert answered == expected, json.dumps(results, indent=1)
        answered_created.update(
            (kind, record_id) for kind, record_id, status in answered if status == "created"
        )

    # An id is answered "created" once at most: every later sending is a duplicate or conflict.
    assert all(count == 1 for count in answered_created.values()), answered_created
    contacts, incidents = model.records("contact"), model.records("incident")
    with app.app_context():
        stored_contacts = {
            str(contact.id): contact for contact in db.session.execute(select(Contact)).scalars()
        }
        stored_incidents = {
            str(incident.id): incident
            for incident in db.session.execute(select(Incident)).scalars()
        }
        # The rows are exactly the ids answered "created", each once.
        created = {kind: set() for kind in ("contact", "incident")}
        for kind, record_id in answered_created:
            created[kind].add(record_id)
        assert set(stored_contacts) == created["contact"] == set(contacts)
        assert set(stored_incidents) == created["incident"] == set(incidents)

        # Each holds the content first accepted under its id: conflicts and rejections changed
        # nothing.
        for record_id, record in contacts.items():
            row = stored_contacts[record_id]
            assert row.site.code == record["site"]
            assert row.kind == record["kind"]
            assert row.people_count == record["people_count"]
            assert row.returned_syringes == record["returned_syringes"]
            assert sorted(flag for flag in record["flags"]) == sorted(
                flag for flag in ("injects", "smokes", "homeless") if getattr(row, flag)
            )
            assert {item.item.code: item.quantity for item in row.items} == {
                item["code"]: item["quantity"] for item in record["items"]
            }
            assert [(str(r.id), r.type.code) for r in row.referrals] == [
                (r["id"], r["type"]) for r in record["referrals"]
            ]
            assert row.occurred_at == datetime.fromisoformat(record["occurred_at"])
            assert (row.client is None) == (record["client_code"] is None)
        for record_id, record in incidents.items():
            row = stored_incidents[record_id]
            assert (row.site.code, row.kind, row.naloxone_doses, row.outcome) == (
                record["site"],
                record["kind"],
                record["naloxone_doses"],
                record["outcome"],
            )
            assert row.ambulance_called == record["ambulance_called"]

        # Nothing else was written: no stray items, referrals or clients.
        assert row_counts() == {
            "contacts": len(contacts),
            "contact_items": sum(len(record["items"]) for record in contacts.values()),
            "referrals": sum(len(record["referrals"]) for record in contacts.values()),
            "incidents": len(incidents),
            "clients": len(
                {normalise_code(r["client_code"]) for r in contacts.values() if r["client_code"]}
            ),
        }

        # Totals count exactly what was accepted.
        syringes = db.session.execute(
            select(func.coalesce(func.sum(ContactItem.quantity), 0))
            .join(EquipmentItem)
            .where(EquipmentItem.counts_as_syringe)
        ).scalar_one()
        assert syringes == syringe_total(contacts.values())
        months = sorted(
            {month_of(moment)}
            | {
                month_of(datetime.fromisoformat(record["occurred_at"]))
                for record in [*contacts.values(), *incidents.values()]
            }
        )
        sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        report = monthly_report(months, sites)
        for month in months:
            in_month = [
                record
                for record in contacts.values()
                if month_of(datetime.fromisoformat(record["occurred_at"])) == month
            ]
            incidents_in_month = [
                record
                for record in incidents.values()
                if month_of(datetime.fromisoformat(record["occurred_at"])) == month
            ]
            assert report.get(month, "contacts") == len(in_month)
            assert report.get(month, "syringes_distributed") == syringe_total(in_month)
            assert report.get(month, "incidents") == len(incidents_in_month)
        # The roll-ups the report reads agree with the records themselves, to the last count.
        nonzero = lambda values: {key: value for key, value in values.items() if value}  # noqa: E731
        assert nonzero(report.values) == nonzero(direct_report(months, sites).values)
