"""Turning a client code into a pseudonym, and finding or creating the client it names."""

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from outreach.clients.models import Client
from outreach.extensions import db
from outreach.reports import rollups

CODE_MIN_LENGTH = 4
CODE_MAX_LENGTH = 20
# Crockford's base32 without I, L, O, U: easy to read aloud and to tell apart on a screen.
ALIAS_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class InvalidClientCode(ValueError):
    """A client code that cannot be normalised; the message is safe to show."""


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
    return hmac.new(secret, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def alias_for(key: str) -> str:
    """A short readable label derived from the key, e.g. `K7M-4QX`, shown to recognise a client."""
    number = int(key[:15], 16)
    letters = []
    for _i in range(6):
        number, index = divmod(number, len(ALIAS_ALPHABET))
        letters.append(ALIAS_ALPHABET[index])
    return "".join(letters[:3]) + "-" + "".join(letters[3:])


def client_details_changed(client) -> None:
    """Keep the reports' copy of a client's gender and birth year in step."""
    rollups.copy_client_details(client)


def find_or_create_client(
    key: str,
    seen_at: datetime,
    gender: str | None = None,
    birth_year: int | None = None,
    known: dict | None = None,
) -> Client:
    """The client with this key, created on first sight; gender and birth year kept up to date.

    Safe when two requests create the same client at once: the unique key decides. `known`
    holds clients looked up beforehand by key (None: there was none then); it saves the query,
    and the client found or created goes into it.
    """
    client = _known(key, known)
    if client is _NOT_KNOWN:
        client = db.session.execute(select(Client).where(Client.key == key)).scalar_one_or_none()
    client = _find_or_create(client, key, seen_at, gender, birth_year)
    if known is not None:
        known[key] = client
    return client


_NOT_KNOWN = object()


def _known(key: str, known: dict | None):
    """The client of `known`, while it is in the session (a rolled-back savepoint that created
    it takes it out), or _NOT_KNOWN."""
    client = (known or {}).get(key, _NOT_KNOWN)
    if client is None or (client is not _NOT_KNOWN and inspect(client).persistent):
        return client
    return _NOT_KNOWN


def _find_or_create(client, key, seen_at, gender, birth_year) -> Client:
    """Create the client when `client` (what a lookup found) is None, else bring it up to date."""
    if client is None:
        try:
            with db.session.begin_nested():
                client = Client(
                    key=key,
                    alias=alias_for(key),
                    gender=gender,
                    birth_year=birth_year,
                    first_seen_at=seen_at,
                )
                db.session.add(client)
        except IntegrityError:
            client = db.session.execute(select(Client).where(Client.key == key)).scalar_one()
        else:
            return client
    if (gender and gender != client.gender) or (birth_year and birth_year != client.birth_year):
        client.gender = gender or client.gender
        client.birth_year = birth_year or client.birth_year
        client_details_changed(client)
    if seen_at < client.first_seen_at:
        client.first_seen_at = seen_at
    return client
