"""Turning a client code into a pseudonym, and finding or creating the client it names."""

import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from outreach.clients.models import Client
from outreach.errors import InvalidClientCode
from outreach.extensions import db

CODE_MIN_LENGTH = 4
CODE_MAX_LENGTH = 20
# Crockford's base32 without I, L, O, U: easy to read aloud and to tell apart on a screen.
ALIAS_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def normalise_code(raw: str) -> str:
    """Upper case, accents and everything but letters and digits removed; 4 to 20 characters."""
    decomposed = unicodedata.normalize("NFKD", raw or "")
    code = re.sub(r"[^A-Z0-9]", "", decomposed.encode("ascii", "ignore").decode().upper())
    if len(code) < CODE_MIN_LENGTH:
        raise InvalidClientCode(
            _("A client code needs at least %(n)d letters or digits.", n=CODE_MIN_LENGTH)
        )
    if len(code) > CODE_MAX_LENGTH:
        raise InvalidClientCode(
            _("A client code has at most %(n)d letters or digits.", n=CODE_MAX_LENGTH)
        )
    return code


def client_key(code: str) -> str:
    """The pseudonym of a client code: HMAC-SHA256 with the server's client key, in hex."""
    secret = current_app.config["OUTREACH_CLIENT_KEY"].encode()
    return hmac.digest(secret, normalise_code(code).encode(), "sha256").hex()


def alias_for(key: str) -> str:
    """A short readable label derived from the key, e.g. `K7M-4QX`, shown to recognise a client."""
    number = int(key[:15], 16)
    letters = []
    for _i in range(6):
        number, index = divmod(number, len(ALIAS_ALPHABET))
        letters.append(ALIAS_ALPHABET[index])
    return "".join(letters[:3]) + "-" + "".join(letters[3:])


def find_or_create_client(
    key: str, seen_at: datetime, gender: str | None = None, birth_year: int | None = None
) -> tuple[Client, bool]:
    """The client with this key, created on first sight, and whether its gender or birth year
    changed (the caller keeps the reports' copy of them in step)."""
    clients, changed = find_or_create_clients([Sighting(key, seen_at, gender, birth_year)], {})
    return clients[key], bool(changed)


@dataclass
class Sighting:
    """A client seen at a contact: when, and the gender and birth year given then (if any)."""

    key: str
    seen_at: datetime
    gender: str | None = None
    birth_year: int | None = None


def find_or_create_clients(
    sightings: list[Sighting], known: dict
) -> tuple[dict[str, Client], list[Client]]:
    """The clients of these sightings by key: those not stored are created in one statement,
    and each is brought up to date (the latest gender and birth year given, the earliest time
    seen), as if the sightings came one by one in this order; and the clients whose gender or
    birth year changed (the caller keeps the reports' copy of them in step).

    `known` holds clients looked up beforehand by key (None: there was none then; a key not in
    it is looked up now); the clients found or created go into it. Safe when two requests
    create the same client at once: the unique key decides, and new clients are inserted in key
    order, so two requests wait for each other rather than deadlock.
    """
    latest = {}
    for sighting in sightings:
        earlier = latest.get(sighting.key)
        if earlier is not None:
            sighting = Sighting(
                sighting.key,
                min(earlier.seen_at, sighting.seen_at),
                sighting.gender or earlier.gender,
                sighting.birth_year or earlier.birth_year,
            )
        latest[sighting.key] = sighting
    clients = {key: _known(key, known) for key in latest}
    unknown = [key for key, client in clients.items() if client is _NOT_KNOWN]
    if unknown:
        clients.update(dict.fromkeys(unknown))
        clients.update({client.key: client for client in clients_with_keys(unknown)})
    new = sorted(key for key, client in clients.items() if client is None)
    if new:
        clients.update(_insert_clients([latest[key] for key in new]))
    changed = [clients[key] for key in latest if _bring_up_to_date(clients[key], latest[key])]
    known.update(clients)
    return clients, changed


_NOT_KNOWN = object()


def _known(key: str, known: dict):
    """The client of `known`, while it is in the session (a rolled-back savepoint that created
    it takes it out), or _NOT_KNOWN."""
    client = known.get(key, _NOT_KNOWN)
    if client is None or (client is not _NOT_KNOWN and inspect(client).persistent):
        return client
    return _NOT_KNOWN


def _insert_clients(sightings: list[Sighting]) -> dict[str, Client]:
    """Insert the clients of these sightings (in the order given), skipping any that a
    concurrent request inserted meanwhile; answers them all, loaded."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Client).on_conflict_do_nothing(index_elements=["key"]),
        [
            {
                "key": sighting.key,
                "alias": alias_for(sighting.key),
                "gender": sighting.gender,
                "birth_year": sighting.birth_year,
                "first_seen_at": sighting.seen_at,
            }
            for sighting in sightings
        ],
    )
    keys = [sighting.key for sighting in sightings]
    return {client.key: client for client in clients_with_keys(keys)}


def clients_with_keys(keys) -> list[Client]:
    """The stored clients of these keys, as stored now. After a rolled-back savepoint the
    session may still hold a client made inside it, whose id a new client now has: its
    attributes are read again (populate_existing) rather than trusted."""
    query = select(Client).where(Client.key.in_(keys)).execution_options(populate_existing=True)
    return list(db.session.execute(query).scalars())


def _bring_up_to_date(client: Client, sighting: Sighting) -> bool:
    """Take the sighting's gender and birth year, when given, and its time if earlier; whether
    the gender or birth year changed."""
    gender, birth_year = sighting.gender, sighting.birth_year
    if sighting.seen_at < client.first_seen_at:
        client.first_seen_at = sighting.seen_at
    if (gender and gender != client.gender) or (birth_year and birth_year != client.birth_year):
        client.gender = gender or client.gender
        client.birth_year = birth_year or client.birth_year
        return True
    return False
