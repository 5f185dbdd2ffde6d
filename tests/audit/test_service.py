"""The audit log: what is written to it, and that no entry can be changed or removed through
the app."""

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.audit.service import record_event
from outreach.errors import AuditLogIsAppendOnly
from outreach.extensions import db


def test_entries_cannot_be_changed_or_removed_through_the_app(app):
    with app.app_context():
        record_event("export", target="a").actor_name = "nina"
        db.session.commit()
        entry = db.session.execute(select(AuditEvent)).scalars().first()
        entry.detail = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.execute(select(AuditEvent)).scalars().first())
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() >= 1


def test_an_unknown_action_is_a_programming_error(app):
    with app.app_context(), pytest.raises(ValueError, match="unknown audit action"):
        record_event("made_up")


def test_creating_a_user_and_the_catalog_are_audited(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "nina", "--role", "supervisor", "--site", "AMS-DCR1"],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        created = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "user_created")
        ).scalar_one()
        assert created.target == "user:nina"
        assert created.detail == "role supervisor; sites AMS-DCR1"
        assert created.actor_name == ""  # the command line
        catalog = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "catalog_changed")
        ).scalar_one()  # the test set-up added the default catalog
        assert "syringe_1ml" in catalog.detail
