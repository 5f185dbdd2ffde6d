"""`POST /api/v1/sync`: times kept in UTC and read back as the same instant (DESIGN §4), and no
raw client code stored, logged or echoed (DESIGN §3)."""

import hashlib
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import inspect, select, text

from outreach.extensions import db
from outreach.records.models import Contact
from tests.conftest import ON_POSTGRESQL
from tests.sync.helpers import (
    statuses,
)

# Time (DESIGN §4)


@pytest.mark.parametrize(
    ("offset", "utc_hour", "next_day"),
    [("+01:00", 22, False), ("-05:00", 4, True)],
)
def test_local_time_is_stored_in_utc_and_read_back_as_the_same_instant(
    app, worker, make_contact, offset, utc_hour, next_day
):
    day = (datetime.now(UTC) - timedelta(days=3)).date()
    contact = make_contact(occurred_at=f"{day.isoformat()}T23:30:00{offset}")
    before = datetime.now(UTC)
    assert statuses(worker.sync(contacts=[contact])) == ["created"]
    expected = datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)
    if next_day:
        expected += timedelta(days=1)

    view = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()
    read_back = datetime.fromisoformat(view["occurred_at"])
    assert read_back == expected
    assert read_back.utcoffset() == timedelta(0)
    received_at = datetime.fromisoformat(view["received_at"])
    assert before - timedelta(seconds=5) <= received_at <= datetime.now(UTC) + timedelta(seconds=5)

    with app.app_context():
        stored = db.session.get(Contact, UUID(contact["id"]))
        assert stored.occurred_at == expected
        assert stored.occurred_at.utcoffset() == timedelta(0)
        sent_offset = datetime.fromisoformat(contact["occurred_at"]).utcoffset()
        assert stored.utc_offset_minutes == sent_offset.total_seconds() // 60


def test_the_23_30_contact_at_plus_one_is_22_30_utc(worker, make_contact):
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    contact = make_contact(occurred_at=f"{day}T23:30:00+01:00")
    worker.sync(contacts=[contact])
    view = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()
    assert view["occurred_at"].startswith(f"{day}T22:30:00")
    assert datetime.fromisoformat(view["occurred_at"]) == datetime.fromisoformat(
        contact["occurred_at"]
    )


# Privacy (DESIGN §3)


def _everything_stored(app) -> str:
    """Every row of every table, as text."""
    with app.app_context():
        if ON_POSTGRESQL:
            tables = inspect(db.engine).get_table_names()
            return "\n".join(
                row[0]
                for table in tables
                for row in db.session.execute(text(f'SELECT t::text FROM "{table}" AS t'))
            )
        return "\n".join(
            repr(tuple(row))
            for table in db.metadata.sorted_tables
            for row in db.session.execute(select(table))
        )


def _database_file_bytes(app) -> bytes:
    """The SQLite database's files, after folding the write-ahead log into the main file."""
    with app.app_context():
        path = Path(db.engine.url.database)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        connection.close()
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def test_the_raw_client_code_is_stored_nowhere(app, worker, make_contact, make_incident):
    contact = make_contact(client_code="JADE0101M")
    incident = make_incident(client_code="jade-0101-m")
    assert statuses(worker.sync(contacts=[contact], incidents=[incident])) == [
        "created",
        "created",
    ]
    forms = ["JADE0101M", "jade0101m", "jade-0101-m", "JADE-0101-M"]
    plain_digest = hashlib.sha256(b"JADE0101M").hexdigest()

    stored = _everything_stored(app)
    assert contact["id"].replace("-", "") in stored.replace("-", "")  # the dump sees the rows
    for form in forms:
        assert form.lower() not in stored.lower()
    assert plain_digest not in stored

    if not ON_POSTGRESQL:
        raw = _database_file_bytes(app)
        assert contact["id"].replace("-", "").encode() in raw.replace(b"-", b"")
        for form in forms:
            assert form.encode() not in raw
        assert plain_digest.encode() not in raw


def test_the_raw_client_code_is_not_logged_or_echoed(worker, make_contact, caplog):
    caplog.set_level(logging.DEBUG)
    good = make_contact(client_code="JADE0101M")
    too_long = make_contact(client_code="JADE0101MJADE0101MJADE0101M")
    response = worker.sync(contacts=[good, too_long])
    assert statuses(response) == ["created", "rejected"]
    assert "JADE0101M" not in response.get_data(as_text=True)
    assert "JADE0101M" not in caplog.text


def test_codes_that_normalise_alike_link_to_one_client(worker, make_contact, count_rows):
    spelled = [
        make_contact(client_code="jade-0101-m"),
        make_contact(client_code="JADE0101M"),
        make_contact(client_code=" Jade 0101 m "),
        make_contact(client_code="JÄDE0101M"),
    ]
    other = make_contact(client_code="ROSE0202F")
    anonymous = make_contact(client_code="")
    assert statuses(worker.sync(contacts=[*spelled, other, anonymous])) == ["created"] * 6
    aliases = [
        worker.get(f"/api/v1/contacts/{contact['id']}").get_json()["client_alias"]
        for contact in [*spelled, other, anonymous]
    ]
    assert aliases[0] is not None
    assert aliases[:4] == [aliases[0]] * 4
    assert aliases[4] not in (None, aliases[0])
    assert aliases[5] is None
    assert count_rows()["clients"] == 2
