"""Storing contacts: a batch's new contacts go in together, one insert per table (contacts,
items, substances, referrals; new clients in one statement), are counted into the roll-ups
from the same rows, and their items are taken from their sites' stock (`supplies.ledger`)."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach.catalog.codebook import Codebook
from outreach.catalog.models import Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.service import (
    Sighting,
    client_key,
    clients_with_keys,
    find_or_create_clients,
)
from outreach.database import insert_many
from outreach.errors import Conflict, InvalidInput
from outreach.extensions import db
from outreach.identity import CREATED, content_hash, existing_outcome, record_columns
from outreach.ingest.checks import reference_errors
from outreach.records.models import Contact, ContactItem, ContactSubstance, Referral
from outreach.reports import rollups
from outreach.supplies.ledger import Books
from outreach.timekeeping import now


@dataclass
class AlreadyStored:
    """What of a batch is stored already, found in one query per table (contacts, referrals,
    clients) instead of one per record."""

    contacts: dict = field(default_factory=dict)  # id -> Contact
    referral_ids: set = field(default_factory=set)
    clients: dict = field(default_factory=dict)  # key -> Client, or None: not stored
    keys: dict = field(default_factory=dict)  # client code -> key

    @classmethod
    def look_up(cls, contacts: list[dict]) -> "AlreadyStored":
        stored = cls()
        ids = [data["id"] for data in contacts]
        stored.contacts = {
            contact.id: contact
            for contact in db.session.execute(select(Contact).where(Contact.id.in_(ids))).scalars()
        }
        referral_ids = [referral["id"] for data in contacts for referral in data["referrals"]]
        if referral_ids:
            stored.referral_ids = set(
                db.session.execute(
                    select(Referral.id).where(Referral.id.in_(referral_ids))
                ).scalars()
            )
        keys = {stored.key_of(data["client_code"]) for data in contacts if data["client_code"]}
        if keys:
            stored.clients = dict.fromkeys(keys)
            stored.clients.update({client.key: client for client in clients_with_keys(keys)})
        return stored

    def key_of(self, code: str) -> str:
        key = self.keys.get(code)
        if key is None:
            key = self.keys[code] = client_key(code)
        return key


@dataclass
class _NewContact:
    """A contact checked and ready to insert, with what its insert needs."""

    index: int
    data: dict
    digest: str
    site: Site
    client_key: str | None


def record_contacts(user, contacts: list[dict], codebook: Codebook) -> list:
    """Store contacts loaded by ContactIn (or `records.quick.quick_contact`), all in one insert
    per table, with their items, substances and referrals.

    The new ones go in together in a savepoint; should that fail (a concurrent request stored
    one of them meanwhile), each is stored on its own instead, which gives the same answers.
    """
    outcomes = [None] * len(contacts)
    if not contacts:
        return outcomes
    stored = AlreadyStored.look_up(contacts)
    fresh = []
    claimed = set()  # referral ids of the contacts ahead in this call
    for index, data in enumerate(contacts):
        try:
            outcome = _check_contact(user, data, codebook, stored, claimed)
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
            _insert_contacts(user, fresh, codebook, stored)
    except IntegrityError:
        if len(fresh) == 1:
            outcomes[fresh[0].index] = _outcome_after_clash(fresh[0])
        else:
            for new in fresh:
                outcomes[new.index] = record_contacts(user, [new.data], codebook)[0]
        return outcomes
    for new in fresh:
        outcomes[new.index] = CREATED
    return outcomes


def _check_contact(user, data: dict, codebook: Codebook, stored: AlreadyStored, claimed: set):
    """The outcome for a contact stored already, or a _NewContact to insert; raises
    InvalidInput or Conflict."""
    key = stored.key_of(data["client_code"]) if data["client_code"] else None
    digest = content_hash("contact", data, key)
    existing = stored.contacts.get(data["id"])
    if existing is not None:
        return existing_outcome(existing, digest)

    errors = reference_errors("contact", user, data, codebook)
    # A referral id already taken. If it is this very contact's referral, a concurrent request
    # stored the contact meanwhile: answer as for any retry.
    if "referrals" not in errors and any(
        referral["id"] in claimed or referral["id"] in stored.referral_ids
        for referral in data["referrals"]
    ):
        existing = db.session.get(Contact, data["id"])
        if existing is not None:
            return existing_outcome(existing, digest)
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
            return existing_outcome(existing, new.digest)
        except Conflict as exc:
            return exc
    return InvalidInput(errors={"referrals": [_("A referral with this id is already stored.")]})


def _insert_contacts(user, fresh: list[_NewContact], codebook: Codebook, stored: AlreadyStored):
    """Insert checked contacts (their clients, items, substances and referrals too), one
    statement per table, count them into the roll-ups and take their items from stock."""
    # The stock first: its rows are locked before any other (see `sync.service`).
    stock = Books(
        (new.site.id, codebook.equipment[item["code"]].id)
        for new in fresh
        for item in new.data["items"]
    )
    clients, changed = find_or_create_clients(
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
        stored.clients,
    )
    for client in changed:
        rollups.copy_client_details(client)
    received_at = now()
    rows = {Contact: [], ContactItem: [], ContactSubstance: [], Referral: []}
    for new in fresh:
        data = new.data
        client = clients.get(new.client_key)
        contact = contact_row(user.id, new.site.id, data, new.digest, received_at, client)
        items = item_rows(data, codebook)
        referrals = referral_rows(data, codebook)
        rows[Contact].append(contact)
        rows[ContactItem].extend(items)
        rows[ContactSubstance].extend(substance_rows(data))
        rows[Referral].extend(referrals)
        if items:
            stock.draw_for_contact(data["id"], new.site.id, items, data["occurred_at"])
        rollups.count_contact_rows(
            contact, items, referrals, client, codebook.item_codes, codebook.type_codes
        )
        if client is not None:
            rollups.note_first_contact(client.id, data["occurred_at"], new.site.id, data["id"])
    for model, model_rows in rows.items():
        if model_rows:
            insert_many(db.session, model.__table__, model_rows)
    stock.write()


# The rows of a contact, as loaded by ContactIn: the ingest inserts them, and the demo's volume
# generator builds its rows the same way.


def contact_row(user_id: int, site_id: int, data: dict, digest: str, received_at, client) -> dict:
    """The `contacts` row of a loaded contact."""
    return {
        **record_columns(user_id, site_id, data, digest, received_at),
        "voided_at": None,
        "void_reason": None,
        "voided_by_id": None,
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


def item_rows(data: dict, codebook: Codebook) -> list[dict]:
    return [
        {
            "contact_id": data["id"],
            "item_id": codebook.equipment[item["code"]].id,
            "quantity": item["quantity"],
        }
        for item in data["items"]
    ]


def substance_rows(data: dict) -> list[dict]:
    return [{"contact_id": data["id"], "substance": code} for code in data["substances"]]


def referral_rows(data: dict, codebook: Codebook, status: str = "made") -> list[dict]:
    return [
        {
            "id": referral["id"],
            "contact_id": data["id"],
            "type_id": codebook.referral_types[referral["type"]].id,
            "referred_to": referral["referred_to"].strip(),
            "status": status,
            "status_changed_at": data["occurred_at"],
        }
        for referral in data["referrals"]
    ]
