"""Writing and reading the audit log. Events are only ever added: the app has no way to change
or remove one (an attempt through the ORM raises)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, event, func, select

from outreach.audit.models import AuditEvent
from outreach.errors import AuditLogIsAppendOnly
from outreach.extensions import db
from outreach.timekeeping import local_day_bounds

# Every action written to the log, with what the admin page calls it.
ACTIONS = {
    "login": _l("Signed in"),
    "login_failed": _l("Sign-in failed"),
    "logout": _l("Signed out"),
    "sessions_revoked": _l("Sessions revoked"),
    "session_ended": _l("Device signed out"),
    "user_created": _l("User created"),
    "user_changed": _l("User changed"),
    "user_activated": _l("User activated"),
    "user_deactivated": _l("User deactivated"),
    "password_reset": _l("Password reset"),
    "password_changed": _l("Own password changed"),
    "site_changed": _l("Site changed"),
    "catalog_changed": _l("Catalog changed"),
    "settings_changed": _l("Settings changed"),
    "export": _l("Export"),
    "void": _l("Record voided"),
    "stock_movement": _l("Stock movement"),
    "stock_levels_changed": _l("Running-low levels changed"),
    "shortfall_resolved": _l("Shortfall resolved"),
    "outbox_opened": _l("Sealed record opened"),
    "purge": _l("Old records purged"),
    "backup": _l("Backup made"),
    "restore": _l("Backup restored"),
}


def record_event(action: str, actor=None, target: str = "", detail: str = "") -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    audit_event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        target=target[:120],
        detail=detail[:500],
    )
    db.session.add(audit_event)
    return audit_event


def find_events(
    action: str | None = None,
    actor: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    """Events newest first, filtered by action, actor name (any case) and local dates."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(func.lower(AuditEvent.actor_name) == actor.strip().lower())
    if date_from:
        query = query.where(AuditEvent.occurred_at >= local_day_bounds(date_from)[0])
    if date_to:
        query = query.where(AuditEvent.occurred_at < local_day_bounds(date_to)[1])
    return query


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed or removed")
