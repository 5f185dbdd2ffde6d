"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

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
