"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from outreach import create_app
from outreach.extensions import db
from tests.conftest import ON_POSTGRESQL, postgresql_schema


@pytest.fixture
def migration_url(tmp_path):
    if not ON_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    # A schema of its own, so the suite's tables are left alone.
    with postgresql_schema(f"migrations_{os.getpid()}") as url:
        yield url


def test_migrations_match_models(migration_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"contacts", "contact_items", "referrals", "incidents", "clients"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


ROWS = {
    "sites": {"id": 1, "code": "S1", "name": "Site", "kind": "dcr", "city": "X", "active": True},
    "users": {
        "id": 1,
        "username": "u",
        "password_hash": "x",
        "role": "worker",
        "active": True,
        "session_version": 1,
        "created_at": "2026-01-01 00:00:00+00",
    },
    "clients": {"id": 1, "key": "k", "alias": "AAA-BBB", "first_seen_at": "2026-01-01 00:00:00+00"},
    "contacts": {
        "id": "0d6f6a6c0f6e4f0e9a3c1e2d3f4a5b6c",
        "occurred_at": "2026-01-02 10:00:00+00",
        "utc_offset_minutes": 60,
        "received_at": "2026-01-02 10:00:00+00",
        "content_hash": "h",
        "site_id": 1,
        "recorded_by_id": 1,
        "kind": "dcr_visit",
        "client_id": 1,
        "people_count": 1,
        "on_behalf_of": 0,
        "injects": True,
        "smokes": False,
        "sex_work": False,
        "homeless": False,
        "foreign_national": False,
        "returned_estimated": False,
        "naloxone_trained": False,
        "overdose_reversals": 0,
    },
}


def test_migrations_upgrade_a_database_that_holds_records(migration_url):
    """Each migration runs on a database with rows in it (SQLite rebuilds altered tables)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade(revision="db366c56d17b")  # the first schema
        with db.engine.begin() as connection:
            for table, row in ROWS.items():
                columns = ", ".join(row)
                values = ", ".join(f":{column}" for column in row)
                connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)
        upgrade()
        with db.engine.connect() as connection:
            for table in ROWS:
                count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                assert count == 1, table
        db.engine.dispose()
