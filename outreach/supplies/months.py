"""The ledger by month: per month (the organisation's), site, item and flow, the sum of the
lines' signed quantities; and the stock before a month. Each is read two ways: from the
roll-up `stock_months` that `ledger.Books.write` keeps, and counted again from the ledger's
lines (`recount=True`), which the tests hold equal and `rebuild` writes back; likewise the
balances (`rebuild_balances`)."""

from sqlalchemy import case, delete, func, literal, select

from outreach.extensions import db
from outreach.supplies.ledger import flow_of
from outreach.supplies.models import StockBalance, StockEntry, StockMonth
from outreach.timekeeping import month_bounds, month_case, month_of, months_between, months_span


def monthly_flows(
    months: list[str], site_ids: list[int], by_site=True, recount=False, until=None
) -> list:
    """(month, site id or None, item id, flow, ledger sum) of these months and sites; site id
    None (all sites together) unless `by_site`. `until` (a UTC instant) cuts the last month
    short; the ledger's lines are counted then, as the roll-up holds whole months."""
    if not months or not site_ids:
        return []
    if recount or until is not None:
        return _recounted_flows(months, site_ids, by_site, until)
    site = StockMonth.site_id if by_site else literal(None)
    query = (
        select(
            StockMonth.month,
            site,
            StockMonth.item_id,
            StockMonth.flow,
            func.sum(StockMonth.quantity),
        )
        .where(StockMonth.month.in_(months), StockMonth.site_id.in_(site_ids))
        .group_by(StockMonth.month, StockMonth.item_id, StockMonth.flow)
    )
    if by_site:
        query = query.group_by(StockMonth.site_id)
    # int(): PostgreSQL sums a BIGINT column as NUMERIC (a Decimal), and a report's counts
    # are whole numbers on every database.
    return [(*row[:4], int(row[4])) for row in db.session.execute(query) if row[4]]


def _recounted_flows(months, site_ids, by_site, until=None) -> list:
    start, end = months_span(months)
    if until is not None:
        end = min(end, until)
    month = month_case(StockEntry.occurred_at, months).label("month")
    direction = case((StockEntry.quantity > 0, 1), else_=-1).label("direction")
    site = StockEntry.site_id if by_site else literal(None)
    query = (
        select(
            month,
            site,
            StockEntry.item_id,
            StockEntry.kind,
            direction,
            func.sum(StockEntry.quantity),
        )
        .where(
            StockEntry.occurred_at >= start,
            StockEntry.occurred_at < end,
            StockEntry.site_id.in_(site_ids),
        )
        .group_by(month, StockEntry.item_id, StockEntry.kind, direction)
    )
    if by_site:
        query = query.group_by(StockEntry.site_id)
    sums = {}
    for month_label, site_id, item_id, kind, sign, quantity in db.session.execute(query):
        key = (month_label, site_id, item_id, flow_of(kind, sign))
        sums[key] = sums.get(key, 0) + int(quantity)
    return [(*key, quantity) for key, quantity in sums.items() if quantity]


def stock_before(month: str, site_ids: list[int], by_site=True, recount=False) -> dict:
    """What the sites held of each item when `month` began: {(site id or None, item id): units}."""
    if not site_ids:
        return {}
    if recount:
        site = StockEntry.site_id if by_site else literal(None)
        query = select(site, StockEntry.item_id, func.sum(StockEntry.quantity)).where(
            StockEntry.occurred_at < month_bounds(month)[0], StockEntry.site_id.in_(site_ids)
        )
        group = [StockEntry.item_id, *([StockEntry.site_id] if by_site else [])]
    else:
        site = StockMonth.site_id if by_site else literal(None)
        query = select(site, StockMonth.item_id, func.sum(StockMonth.quantity)).where(
            StockMonth.month < month, StockMonth.site_id.in_(site_ids)
        )
        group = [StockMonth.item_id, *([StockMonth.site_id] if by_site else [])]
    return {
        (site_id, item_id): int(quantity)
        for site_id, item_id, quantity in db.session.execute(query.group_by(*group))
        if quantity
    }


def rebuild() -> None:
    """Write `stock_months` and `stock_balances` anew from the ledger (after the organisation's
    time zone changed, or to repair them)."""
    db.session.flush()
    db.session.execute(delete(StockMonth))
    first, last = db.session.execute(
        select(func.min(StockEntry.occurred_at), func.max(StockEntry.occurred_at))
    ).one()
    if first is not None:
        months = months_between(month_of(first), month_of(last))
        site_ids = list(db.session.execute(select(StockEntry.site_id).distinct()).scalars())
        rows = [
            {"month": m, "site_id": s, "item_id": i, "flow": f, "quantity": q}
            for m, s, i, f, q in monthly_flows(months, site_ids, recount=True)
        ]
        if rows:
            db.session.execute(StockMonth.__table__.insert(), rows)
    rebuild_balances()


def recounted_balances() -> dict:
    """{(site id, item id, lot): (units, expiry)} summed from the ledger."""
    return {
        (site_id, item_id, lot): (int(quantity), expires_on)
        for site_id, item_id, lot, quantity, expires_on in db.session.execute(
            select(
                StockEntry.site_id,
                StockEntry.item_id,
                StockEntry.lot,
                func.sum(StockEntry.quantity),
                func.max(StockEntry.expires_on),
            ).group_by(StockEntry.site_id, StockEntry.item_id, StockEntry.lot)
        )
    }


def rebuild_balances() -> None:
    db.session.execute(delete(StockBalance))
    rows = [
        {"site_id": s, "item_id": i, "lot": lot, "quantity": quantity, "expires_on": expires_on}
        for (s, i, lot), (quantity, expires_on) in sorted(recounted_balances().items())
    ]
    if rows:
        db.session.execute(StockBalance.__table__.insert(), rows)
