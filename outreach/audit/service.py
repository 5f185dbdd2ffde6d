"""Writing to the audit log."""

from outreach.audit.models import AuditEvent
from outreach.extensions import db


def record_event(action: str, actor=None, target: str = "", detail: str = "") -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        target=target[:120],
        detail=detail[:500],
    )
    db.session.add(event)
    return event
