"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import json
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


def test_site_and_pack_names_become_english_and_dutch_and_back(migration_url):
    """A site's name and its packs' names are kept as both names; a downgrade keeps the
    English ones."""
    packs = [{"name": "Injecting pack", "items": {"needle": 10}}]
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade(revision="564a2deb3062")  # the last with one name
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sites (id, code, name, kind, city, active, usual_packs) "
                    "VALUES (1, 'S1', 'Street team', 'outreach', '', :yes, :packs), "
                    "(2, 'S2', 'DCR', 'dcr', '', :yes, '[]')"
                ),
                {"packs": json.dumps(packs), "yes": True},
            )
        upgrade(revision="360f3d136eba")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT code, name_en, name_nl, usual_packs FROM sites ORDER BY code")
            ).all()
        assert [(code, name_en, name_nl) for code, name_en, name_nl, _packs in rows] == [
            ("S1", "Street team", "Street team"),
            ("S2", "DCR", "DCR"),
        ]
        assert [json_value(row[3]) for row in rows] == [
            [{"name_en": "Injecting pack", "name_nl": "Injecting pack", "items": {"needle": 10}}],
            [],
        ]

        downgrade(revision="564a2deb3062")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT name, usual_packs FROM sites ORDER BY code"))
            assert [(name, json_value(stored)) for name, stored in rows] == [
                ("Street team", packs),
                ("DCR", []),
            ]
        db.engine.dispose()


def test_default_dutch_names_follow_the_glossary_unless_an_admin_chose_another(migration_url):
    """The defaults "Naaldcontainer" and "Maatschappelijke opvang" (which is shelter) become
    "Naaldencontainer" and "Maatschappelijk werk"; a name an admin gave stays; and back."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade(revision="360f3d136eba")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO equipment_items (code, name_en, name_nl, category, unit, "
                    "counts_as_syringe, sort_order, active) VALUES "
                    "('sharps_bin', 'Sharps bin', 'Naaldcontainer', 'other', 'piece', :no, 1, :yes)"
                ),
                {"yes": True, "no": False},
            )
            connection.execute(
                text(
                    "INSERT INTO referral_types (code, name_en, name_nl, sort_order, active) "
                    "VALUES ('social_care', 'Social care', 'Sociaal team', 1, :yes)"
                ),
                {"yes": True},
            )

        def names():
            with db.engine.connect() as connection:
                return (
                    connection.execute(
                        text(
                            "SELECT name_nl FROM equipment_items UNION ALL "
                            "SELECT name_nl FROM referral_types"
                        )
                    )
                    .scalars()
                    .all()
                )

        upgrade(revision="7d0c1e5a9b42")
        assert names() == ["Naaldencontainer", "Sociaal team"]
        downgrade(revision="360f3d136eba")
        assert names() == ["Naaldcontainer", "Sociaal team"]
        db.engine.dispose()


def test_units_become_english_and_dutch_and_back(migration_url):
    """An item's unit is kept as both units; a default item whose unit is still the default
    gets the Dutch word (piece: stuk, sheet: vel, kit: set), one an admin changed keeps it in
    both; a downgrade keeps the English ones."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade(revision="7d0c1e5a9b42")  # the last with one unit
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO equipment_items (code, name_en, name_nl, category, unit, "
                    "counts_as_syringe, sort_order, active) VALUES "
                    "('needle', 'Needle', 'Naald', 'injecting', 'piece', :no, 1, :yes), "
                    "('foil', 'Foil', 'Folie', 'smoking', 'sheet', :no, 2, :yes), "
                    "('naloxone_kit', 'Naloxone kit', 'Naloxonkit', 'naloxone', 'kit', :no, 3, "
                    ":yes), "
                    "('condom', 'Condom', 'Condoom', 'sexual_health', 'box', :no, 4, :yes), "
                    "('test_strip', 'Test strip', 'Teststrip', 'other', 'piece', :no, 5, :yes)"
                ),
                {"yes": True, "no": False},
            )
        upgrade(revision="b8e41f0c2d75")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT code, unit_en, unit_nl FROM equipment_items ORDER BY sort_order")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("needle", "piece", "stuk"),
            ("foil", "sheet", "vel"),
            ("naloxone_kit", "kit", "set"),
            ("condom", "box", "box"),  # an admin's own unit
            ("test_strip", "piece", "piece"),  # not a default item
        ]

        downgrade(revision="7d0c1e5a9b42")
        with db.engine.connect() as connection:
            units = connection.execute(
                text("SELECT unit FROM equipment_items ORDER BY sort_order")
            ).scalars()
            assert list(units) == ["piece", "sheet", "kit", "box", "piece"]
        db.engine.dispose()


def json_value(value):
    """A JSON column as read by plain SQL: text on SQLite, already parsed on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value
