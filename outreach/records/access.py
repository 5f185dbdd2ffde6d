"""Who may read and void which record (DESIGN §1), checked on the server for every request."""

from datetime import timedelta

from sqlalchemy import Select, or_, select

from outreach.timekeeping import now

WORKER_READ_DAYS = 7
WORKER_VOID_HOURS = 24


def visible_records(model, user) -> Select:
    """Records a user may read: a worker their own of the last 7 days, and those they may still
    void (received in the last 24 hours, whatever their date); a supervisor their sites'; an
    admin all."""
    query = select(model)
    if user.role == "worker":
        moment = now()
        query = query.where(
            model.recorded_by_id == user.id,
            or_(
                model.occurred_at >= moment - timedelta(days=WORKER_READ_DAYS),
                model.received_at >= moment - timedelta(hours=WORKER_VOID_HOURS),
            ),
        )
    elif not user.is_admin:
        query = query.where(model.site_id.in_([site.id for site in user.sites]))
    return query


def can_read(user, record) -> bool:
    """The same rule as `visible_records`, for one record."""
    if user.is_admin:
        return True
    if user.role == "worker":
        moment = now()
        return record.recorded_by_id == user.id and (
            record.occurred_at >= moment - timedelta(days=WORKER_READ_DAYS)
            or record.received_at >= moment - timedelta(hours=WORKER_VOID_HOURS)
        )
    return record.site_id in {site.id for site in user.sites}


def can_void(user, record) -> bool:
    """A worker their own within 24 hours of its arrival; a supervisor their sites'; an admin
    any."""
    if user.is_admin:
        return True
    if user.role == "supervisor":
        return record.site_id in {site.id for site in user.sites}
    return record.recorded_by_id == user.id and record.received_at >= now() - timedelta(
        hours=WORKER_VOID_HOURS
    )
