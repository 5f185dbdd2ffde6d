"""Storing, reading and voiding field records. Plain functions: they flush, never commit.

`record_contact`, `record_incident` and `record_referral_update` are the one way in for a record,
from the sync API and from the HTML forms alike. Each answers "created" or "duplicate", or raises
InvalidInput (the record is rejected) or Conflict (its id is taken by other content).
"""

import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from outreach.audit.service import record_event
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.models import Client
from outreach.clients.service import (
    InvalidClientCode,
    Sighting,
    client_key,
    find_or_create_client,
    find_or_create_clients,
)
from outreach.database import insert_many
from outreach.errors import Conflict, InvalidInput, NotAllowed, NotFound, plain
from outreach.extensions import db
from outreach.records.models import (
    Contact,
    ContactItem,
    ContactSubstance,
    Incident,
    Referral,
    ReferralStatusChange,
)
from outreach.reports import rollups
from outreach.timekeeping import NO_CORRECTION, local_day_bounds, now, offset_minutes

CREATED = "created"
DUPLICATE = "duplicate"
WORKER_READ_DAYS = 7
WORKER_VOID_HOURS = 24


@dataclass
class Codebook:
    """The catalog loaded once per request, to resolve the codes of many records."""

    sites: dict[str, Site] = field(default_factory=dict)
    equipment: dict[str, EquipmentItem] = field(default_factory=dict)
    referral_types: dict[str, ReferralType] = field(default_factory=dict)
    # Found by `look_up_stored` for a sync batch, in one query per table: the (model, id) of
    # records it names that are not stored (no need to look for each), and its clients by key
    # (None: not stored). Anything else is looked up on its own.
    not_stored: set = field(default_factory=set)
    clients: dict = field(default_factory=dict)
    # Worked out once per request: client keys by code, and the site ids of users.
    keys: dict = field(default_factory=dict)
    user_sites: dict = field(default_factory=dict)

    def key_of(self, code: str) -> str:
        """The pseudonym of a client code (InvalidClientCode if it is not one)."""
        key = self.keys.get(code)
        if key is None:
            key = self.keys[code] = client_key(code)
        return key

    def site_ids_of(self, user) -> set[int]:
        if user.id not in self.user_sites:
            self.user_sites[user.id] = {site.id for site in user.sites}
        return self.user_sites[user.id]

    @cached_property
    def item_codes(self) -> dict[int, str]:
        return {item.id: code for code, item in self.equipment.items()}

    @cached_property
    def type_codes(self) -> dict[int, str]:
        return {kind.id: code for code, kind in self.referral_types.items()}

    def forget_lookups(self) -> None:
        """After a rolled-back savepoint: what `look_up_stored` found may be wrong now."""
        self.not_stored.clear()
        self.clients.clear()


def load_codebook() -> Codebook:
    """Every site, item and referral type, active or retired: old records keep valid codes."""
    return Codebook(
        sites={site.code: site for site in db.session.execute(select(Site)).scalars()},
        equipment={item.code: item for item in db.session.execute(select(EquipmentItem)).scalars()},
        referral_types={
            kind.code: kind for kind in db.session.execute(select(ReferralType)).scalars()
        },
    )


def _uuids(values) -> set[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(value))
        except (TypeError, ValueError, AttributeError):
            continue  # not an id: the record's own validation says so
    return found


def _client_keys(codebook: Codebook, codes) -> set[str]:
    keys = set()
    for code in codes:
        if isinstance(code, str) and code.strip():
            try:
                keys.add(codebook.key_of(code))
            except InvalidClientCode:
                continue
    return keys


def look_up_stored(codebook: Codebook, contacts: list[dict]) -> None:
    """Find, in one query per table, which of a batch's contacts, referrals and clients are
    stored already (contacts as sent, not yet validated), so that each contact needs no
    query of its own for them."""
    referrals = [
        referral
        for contact in contacts
        if isinstance(contact.get("referrals"), list)
        for referral in contact["referrals"]
        if isinstance(referral, dict)
    ]
    for model, ids in (
        (Contact, _uuids(contact.get("id") for contact in contacts)),
        (Referral, _uuids(referral.get("id") for referral in referrals)),
    ):
        if ids:
            found = set(db.session.execute(select(model.id).where(model.id.in_(ids))).scalars())
            codebook.not_stored.update((model, record_id) for record_id in ids - found)
    keys = _client_keys(codebook, [contact.get("client_code") for contact in contacts])
    if keys:
        codebook.clients.update(dict.fromkeys(keys))
        found = db.session.execute(select(Client).where(Client.key.in_(keys))).scalars()
        codebook.clients.update({client.key: client for client in found})


def _stored(model, record_id, codebook: Codebook):
    """The stored record with this id, or None; no query when the batch's lookup found none."""
    if (model, record_id) in codebook.not_stored:
        return None
    return db.session.get(model, record_id)


# Identity of what a device sent


def _json_value(value):
    """What JSON cannot hold as it is: ids as text, times as seconds since the epoch."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} in a record")


def content_hash(kind: str, data: dict, key: str | None = None) -> str:
    """A keyed hash of a loaded record, equal for equal content whatever the order of lists.

    Keyed, because the content includes the client's pseudonym and a plain hash of a short
    client code could be reversed by trying every code.
    """
    data = dict(data)
    # The time as the device sent it: a retry may come with another clock correction.
    correction = data.pop("clock_correction", NO_CORRECTION)
    if correction:
        data["occurred_at"] -= correction
    if data.get("client_code"):
        data["client_code"] = key or client_key(data["client_code"])
    for key in ("flags", "substances"):
        if key in data:
            data[key] = sorted(data[key])
    if "items" in data:
        data["items"] = sorted(data["items"], key=lambda item: item["code"])
    if "referrals" in data:
        data["referrals"] = sorted(data["referrals"], key=lambda referral: str(referral["id"]))
    text = json.dumps({"kind": kind, "data": data}, sort_keys=True, default=_json_value)
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.digest(secret, text.encode(), "sha256").hex()


def _existing_outcome(existing, digest: str) -> str:
    if existing.content_hash == digest:
        return DUPLICATE
    raise Conflict(_("A different record with this id is already stored. Nothing was changed."))


def _insert_or_compare(record, model, digest: str) -> str:
    """Insert a new record; the primary key decides between created, duplicate and conflict."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        existing = db.session.get(model, record.id, populate_existing=True)
        if existing is None:
            raise
        return _existing_outcome(existing, digest)
    return CREATED


# What a record refers to: checked for a valid record before it is stored, and for the valid
# fields of an invalid one, so that a rejected record names every problem at once.


def load_record(kind: str, schema, raw, user, codebook: Codebook) -> dict:
    """`raw` loaded by `schema`; if it is invalid, InvalidInput naming every problem: the
    schema's, and what the fields that did load refer to (`reference_errors`)."""
    try:
        return schema.load(raw)
    except ValidationError as exc:
        errors = plain(exc.messages)
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        for name, messages in reference_errors(kind, user, valid, codebook).items():
            errors.setdefault(name, messages)
        raise InvalidInput(errors=errors) from exc


def reference_errors(kind: str, user, data: dict, codebook: Codebook) -> dict:
    """Field messages about what a record (possibly loaded only in part) refers to: an unknown
    or forbidden site, unknown items and referral types, the referral a follow-up is about."""
    if kind == "referral_update":
        return _referral_for(user, data)[1]
    errors = _site_errors(user, data.get("site"), codebook)
    if kind == "contact":
        errors.update(_catalog_errors(data, codebook))
    return errors


def _site_errors(user, code, codebook: Codebook) -> dict:
    if code is None:
        return {}
    site = codebook.sites.get(code)
    if site is None:
        return {"site": [_("Unknown site.")]}
    if not user.is_admin and site.id not in codebook.site_ids_of(user):
        return {"site": [_("You do not work at this site.")]}
    return {}


def _site_for(user, code: str, codebook: Codebook) -> Site:
    errors = _site_errors(user, code, codebook)
    if errors:
        raise InvalidInput(errors=errors)
    return codebook.sites[code]


def _catalog_errors(data: dict, codebook: Codebook) -> dict:
    """Unknown item and referral type codes of a contact."""
    errors = {}
    unknown_items = [
        item["code"]
        for item in data.get("items", [])
        if "code" in item and item["code"] not in codebook.equipment
    ]
    if unknown_items:
        errors["items"] = [_("Unknown item: %(codes)s.", codes=", ".join(unknown_items))]
    unknown_types = [
        referral["type"]
        for referral in data.get("referrals", [])
        if "type" in referral and referral["type"] not in codebook.referral_types
    ]
    if unknown_types:
        errors["referrals"] = [
            _("Unknown referral type: %(codes)s.", codes=", ".join(unknown_types))
        ]
    return errors


def _client_for(data: dict, seen_at, codebook: Codebook | None = None):
    if not data.get("client_code"):
        return None
    return find_or_create_client(
        client_key(data["client_code"]),
        seen_at,
        gender=data.get("gender"),
        birth_year=data.get("birth_year"),
        known=codebook.clients if codebook is not None else None,
    )


# Contacts


@dataclass
class _NewContact:
    """A contact checked and ready to insert, with what its insert needs."""

    index: int
    data: dict
    digest: str
    site: Site
    client_key: str | None


def record_contact(user, data: dict, codebook: Codebook | None = None) -> str:
    """Store a contact loaded by ContactIn, with its items, substances and referrals."""
    outcome = record_contacts(user, [data], codebook)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def record_contacts(user, contacts: list[dict], codebook: Codebook | None = None) -> list:
    """Store contacts loaded by ContactIn, all in one insert per table.

    Answers, in order, "created" or "duplicate" for each contact, or the InvalidInput or
    Conflict that rejects it. The new ones go in together in a savepoint; should that fail
    (a concurrent request stored one of them meanwhile), each is stored on its own instead.
    """
    codebook = codebook or load_codebook()
    outcomes = [None] * len(contacts)
    fresh = []
    claimed = set()  # referral ids of the contacts ahead in this call
    for index, data in enumerate(contacts):
        try:
            outcome = _check_contact(user, data, codebook, claimed)
        except (InvalidInput, Conflict) as exc:
            outcome = exc
        if isinstance(outcome, _NewContact):
            outcome.index = index
            fresh.append(outcome)
            claimed.update(referral["id"] for referral in data["referrals"])
        else:
            outcomes[index] = outcome
    if not fresh:
        return outcomes
    try:
        with db.session.begin_nested():
            _insert_contacts(user, fresh, codebook)
    except IntegrityError:
        codebook.forget_lookups()
        if len(fresh) == 1:
            outcomes[fresh[0].index] = _outcome_after_clash(fresh[0])
        else:
            for new in fresh:
                outcomes[new.index] = record_contacts(user, [new.data], codebook)[0]
        return outcomes
    for new in fresh:
        outcomes[new.index] = CREATED
    return outcomes


def _check_contact(user, data: dict, codebook: Codebook, claimed: set):
    """The outcome for a contact stored already, or a _NewContact to insert; raises
    InvalidInput or Conflict."""
    key = codebook.key_of(data["client_code"]) if data.get("client_code") else None
    digest = content_hash("contact", data, key)
    existing = _stored(Contact, data["id"], codebook)
    if existing is not None:
        return _existing_outcome(existing, digest)

    errors = reference_errors("contact", user, data, codebook)
    # A referral id already taken. If it is this very contact's referral, a concurrent request
    # stored the contact meanwhile: answer as for any retry.
    if "referrals" not in errors and any(
        referral["id"] in claimed or _stored(Referral, referral["id"], codebook)
        for referral in data["referrals"]
    ):
        existing = db.session.get(Contact, data["id"])
        if existing is not None:
            return _existing_outcome(existing, digest)
        errors["referrals"] = [_("A referral with this id is already stored.")]
    if errors:
        raise InvalidInput(errors=errors)
    return _NewContact(0, data, digest, codebook.sites[data["site"]], key)


def _outcome_after_clash(new: _NewContact):
    """A contact's insert broke a unique key: its id (a concurrent request stored it), or one
    of its referral ids (another contact has it)."""
    existing = db.session.get(Contact, new.data["id"], populate_existing=True)
    if existing is not None:
        try:
            return _existing_outcome(existing, new.digest)
        except Conflict as exc:
            return exc
    return InvalidInput(errors={"referrals": [_("A referral with this id is already stored.")]})


def _insert_contacts(user, fresh: list[_NewContact], codebook: Codebook) -> None:
    """Insert checked contacts (their clients, items, substances and referrals too), one
    statement per table, and count them into the roll-ups."""
    clients = find_or_create_clients(
        [
            Sighting(
                new.client_key,
                new.data["occurred_at"],
                new.data.get("gender"),
                new.data.get("birth_year"),
            )
            for new in fresh
            if new.client_key
        ],
        codebook.clients,
    )
    received_at = now()
    rows = {Contact: [], ContactItem: [], ContactSubstance: [], Referral: []}
    for new in fresh:
        data, contact_id = new.data, new.data["id"]
        client = clients.get(new.client_key)
        contact = contact_row(user.id, new.site.id, data, new.digest, received_at, client)
        items = [
            {
                "contact_id": contact_id,
                "item_id": codebook.equipment[item["code"]].id,
                "quantity": item["quantity"],
            }
            for item in data["items"]
        ]
        referrals = [
            {
                "id": referral["id"],
                "contact_id": contact_id,
                "type_id": codebook.referral_types[referral["type"]].id,
                "referred_to": referral["referred_to"].strip(),
                "status": "made",
                "status_changed_at": data["occurred_at"],
            }
            for referral in data["referrals"]
        ]
        rows[Contact].append(contact)
        rows[ContactItem].extend(items)
        rows[ContactSubstance].extend(
            {"contact_id": contact_id, "substance": code} for code in data["substances"]
        )
        rows[Referral].extend(referrals)
        rollups.count_contact_rows(
            contact, items, referrals, client, codebook.item_codes, codebook.type_codes
        )
        if client is not None:
            rollups.note_first_contact(client.id, data["occurred_at"], new.site.id, contact_id)
    for model, model_rows in rows.items():
        if model_rows:
            insert_many(db.session, model.__table__, model_rows)
    # Taken now: later records of the request must look for these ids.
    for new in fresh:
        codebook.not_stored.discard((Contact, new.data["id"]))
        for referral in new.data["referrals"]:
            codebook.not_stored.discard((Referral, referral["id"]))


def correction_seconds(data: dict) -> int:
    """The seconds a loaded record's time was moved because the device's clock was wrong."""
    return int(data.get("clock_correction", NO_CORRECTION).total_seconds())


def contact_row(user_id: int, site_id: int, data: dict, digest: str, received_at, client) -> dict:
    """The `contacts` row of a contact loaded by ContactIn (bulk inserts build them too)."""
    occurred_at = data["occurred_at"]
    return {
        "id": data["id"],
        "occurred_at": occurred_at,
        "utc_offset_minutes": offset_minutes(occurred_at),
        "clock_correction_seconds": correction_seconds(data),
        "received_at": received_at,
        "content_hash": digest,
        "voided_at": None,
        "void_reason": None,
        "voided_by_id": None,
        "site_id": site_id,
        "recorded_by_id": user_id,
        "kind": data["kind"],
        "client_id": client.id if client is not None else None,
        "people_count": data["people_count"],
        "on_behalf_of": data["on_behalf_of"],
        "gender": data.get("gender"),
        "birth_year": data.get("birth_year"),
        "route": data.get("route"),
        "returned_syringes": data.get("returned_syringes"),
        "returned_estimated": data["returned_estimated"],
        "naloxone_trained": data["naloxone_trained"],
        "naloxone_refill_reason": data.get("naloxone_refill_reason"),
        "overdose_reversals": data["overdose_reversals"],
        **{flag: flag in data["flags"] for flag in FLAGS},
    }


# Incidents


def record_incident(user, data: dict, codebook: Codebook | None = None) -> str:
    """Store a drug-related emergency loaded by IncidentIn."""
    codebook = codebook or load_codebook()
    digest = content_hash("incident", data)
    existing = db.session.get(Incident, data["id"])
    if existing is not None:
        return _existing_outcome(existing, digest)

    site = _site_for(user, data["site"], codebook)
    occurred_at = data["occurred_at"]
    incident = Incident(
        id=data["id"],
        occurred_at=occurred_at,
        utc_offset_minutes=offset_minutes(occurred_at),
        clock_correction_seconds=correction_seconds(data),
        received_at=now(),
        content_hash=digest,
        site_id=site.id,
        recorded_by_id=user.id,
        client=_client_for(data, occurred_at),
        kind=data["kind"],
        naloxone_doses=data["naloxone_doses"],
        oxygen_given=data["oxygen_given"],
        rescue_breathing=data["rescue_breathing"],
        ambulance_called=data["ambulance_called"],
        outcome=data["outcome"],
    )
    outcome = _insert_or_compare(incident, Incident, digest)
    if outcome == CREATED:
        rollups.count_incident(incident)
    return outcome


# Referral follow-ups


def record_referral_update(user, data: dict, codebook: Codebook | None = None) -> str:
    """Store a follow-up loaded by ReferralUpdateIn; the latest follow-up sets the status."""
    digest = content_hash("referral_update", data)
    existing = db.session.get(ReferralStatusChange, data["id"])
    if existing is not None:
        return _existing_outcome(existing, digest)

    referral, errors = _referral_for(user, data)
    if errors:
        raise InvalidInput(errors=errors)
    contact = referral.contact
    occurred_at = data["occurred_at"]
    change = ReferralStatusChange(
        id=data["id"],
        referral_id=referral.id,
        status=data["status"],
        occurred_at=occurred_at,
        clock_correction_seconds=correction_seconds(data),
        received_at=now(),
        recorded_by_id=user.id,
        content_hash=digest,
    )
    outcome = _insert_or_compare(change, ReferralStatusChange, digest)
    if outcome == CREATED and occurred_at >= referral.status_changed_at:
        rollups.count_referral_status(
            referral, contact, referral.type.code, referral.status, data["status"]
        )
        referral.status = data["status"]
        referral.status_changed_at = occurred_at
    return outcome


def _referral_for(user, data: dict) -> tuple[Referral | None, dict]:
    """The referral a follow-up is about, and field messages if it may not be followed up."""
    if "referral_id" not in data:
        return None, {}
    referral = db.session.get(Referral, data["referral_id"])
    if referral is None:
        return None, {"referral_id": [_("Unknown referral.")]}
    contact = referral.contact
    if not user.is_admin and contact.site_id not in {site.id for site in user.sites}:
        # The same answer as for no referral at all: whether another site's id exists is
        # nobody's business here.
        return None, {"referral_id": [_("Unknown referral.")]}
    if contact.is_voided:
        return referral, {"referral_id": [_("The contact of this referral was voided.")]}
    if "occurred_at" in data and data["occurred_at"] < contact.occurred_at:
        return referral, {
            "occurred_at": [_("The follow-up is dated before the referral was made.")]
        }
    return referral, {}


# Reading


def visible_records(model, user) -> Select:
    """Records a user may read (DESIGN §1): a worker their own of the last 7 days, and those
    they may still void (received in the last 24 hours, whatever their date)."""
    query = select(model)
    if user.role == "worker":
        moment = now()
        query = query.where(
            model.recorded_by_id == user.id,
            or_(
                model.occurred_at >= moment - timedelta(days=WORKER_READ_DAYS),
                model.received_at >= moment - timedelta(hours=WORKER_VOID_HOURS),
            ),
        )
    elif not user.is_admin:
        query = query.where(model.site_id.in_([site.id for site in user.sites]))
    return query


def can_read(user, record) -> bool:
    if user.is_admin:
        return True
    if user.role == "worker":
        moment = now()
        return record.recorded_by_id == user.id and (
            record.occurred_at >= moment - timedelta(days=WORKER_READ_DAYS)
            or record.received_at >= moment - timedelta(hours=WORKER_VOID_HOURS)
        )
    return record.site_id in {site.id for site in user.sites}


def get_record(model, record_id, user):
    """The record with this id if the user may read it; NotFound or NotAllowed otherwise."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(_("No record with this id."))
    if not can_read(user, record):
        raise NotAllowed(_("You may not see this record."))
    return record


def list_records(model, user, date_from=None, date_to=None, site_code=None) -> Select:
    """Visible, non-voided records, newest first, filtered by local dates and a site."""
    query = visible_records(model, user).where(model.voided_at.is_(None))
    if date_from is not None:
        query = query.where(model.occurred_at >= local_day_bounds(date_from)[0])
    if date_to is not None:
        query = query.where(model.occurred_at < local_day_bounds(date_to)[1])
    if site_code is not None:
        query = query.join(Site, model.site_id == Site.id).where(Site.code == site_code)
    if model is Contact:
        query = query.options(
            selectinload(Contact.items).selectinload(ContactItem.item),
            selectinload(Contact.substances),
            selectinload(Contact.referrals).selectinload(Referral.type),
        )
    return query.options(selectinload(model.site), selectinload(model.recorded_by)).order_by(
        model.occurred_at.desc()
    )


def open_referrals(user, status: str = "made") -> Select:
    """Referrals in a status (by default still waiting for follow-up): a worker's own, a
    supervisor's sites, or all."""
    query = (
        select(Referral)
        .join(Contact)
        .where(Referral.status == status, Contact.voided_at.is_(None))
        .options(
            selectinload(Referral.type),
            selectinload(Referral.contact).selectinload(Contact.site),
            selectinload(Referral.contact).selectinload(Contact.client),
        )
        .order_by(Contact.occurred_at)
    )
    if user.role == "worker":
        query = query.where(Contact.recorded_by_id == user.id)
    elif not user.is_admin:
        query = query.where(Contact.site_id.in_([site.id for site in user.sites]))
    return query


# Voiding


def can_void(user, record) -> bool:
    if user.is_admin:
        return True
    if user.role == "supervisor":
        return record.site_id in {site.id for site in user.sites}
    return record.recorded_by_id == user.id and record.received_at >= now() - timedelta(
        hours=WORKER_VOID_HOURS
    )


def void_record(user, record, reason: str) -> None:
    """Soft-delete a record with a reason; written to the audit log."""
    if not can_void(user, record):
        raise NotAllowed(_("You may not void this record."))
    if record.is_voided:
        raise Conflict(_("This record was already voided."))
    record.voided_at = now()
    record.voided_by_id = user.id
    record.void_reason = reason.strip()
    if isinstance(record, Contact):
        codebook = load_codebook()
        rollups.count_contact(record, codebook.item_codes, codebook.type_codes, sign=-1)
        if record.client_id is not None:
            rollups.recount_first_contact(record.client_id)
    else:
        rollups.count_incident(record, sign=-1)
    record_event("void", user, target=f"{record.__tablename__}:{record.id}", detail=reason)


# The worker's day


def tally(user, start, end) -> dict:
    """What the user logged between two moments (e.g. today's or this week's bounds from
    outreach.timekeeping), counted in SQL."""
    mine_today = (
        Contact.recorded_by_id == user.id,
        Contact.occurred_at >= start,
        Contact.occurred_at < end,
        Contact.voided_at.is_(None),
    )
    contacts, people, returned = db.session.execute(
        select(
            func.count(Contact.id),
            func.coalesce(func.sum(Contact.people_count), 0),
            func.coalesce(func.sum(Contact.returned_syringes), 0),
        ).where(*mine_today)
    ).one()
    syringes = db.session.execute(
        select(func.coalesce(func.sum(ContactItem.quantity), 0))
        .join(Contact)
        .join(EquipmentItem)
        .where(*mine_today, EquipmentItem.counts_as_syringe)
    ).scalar_one()
    referrals = db.session.execute(
        select(func.count(Referral.id)).join(Contact).where(*mine_today)
    ).scalar_one()
    incidents = db.session.execute(
        select(func.count(Incident.id)).where(
            Incident.recorded_by_id == user.id,
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
            Incident.voided_at.is_(None),
        )
    ).scalar_one()
    return {
        "contacts": contacts,
        "people": people,
        "syringes_given": syringes,
        "syringes_returned": returned,
        "referrals": referrals,
        "incidents": incidents,
    }
