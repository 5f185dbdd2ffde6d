"""Reading stock: what sites hold (from the balances, never the whole ledger), lots about to
expire, open shortfalls, the history; and the supervisor's changes that are not movements
(running-low levels, resolving a shortfall). Plain functions; the caller commits."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.audit.service import record_event
from outreach.catalog.models import EquipmentItem, Site
from outreach.errors import InvalidInput, NotAllowed, NotFound
from outreach.extensions import db
from outreach.settings import expiry_warning_days
from outreach.supplies.ledger import NO_LOT, lock_stock
from outreach.supplies.models import (
    StockBalance,
    StockEntry,
    StockLevel,
    StockMovement,
    StockShortfall,
)
from outreach.supplies.movements import SUPPLY_ROLES
from outreach.timekeeping import local_day_bounds, local_today, now


@dataclass
class ItemStock:
    """A site's stock of one item."""

    item: EquipmentItem
    on_hand: int = 0
    running_low_at: int | None = None
    lots: list = field(default_factory=list)  # (lot or None, expires_on, quantity), FEFO

    @property
    def low(self) -> bool:
        return self.running_low_at is not None and self.on_hand <= self.running_low_at


@dataclass
class SiteStock:
    site: Site
    items: list[ItemStock]
    shortfalls: int  # open ones


def stock_of_sites(sites: list[Site]) -> list[SiteStock]:
    """What each site holds of every item offered (and of retired items it still holds), with
    the running-low levels and the number of open shortfalls: four queries for any number of
    sites."""
    site_ids = [site.id for site in sites]
    if not site_ids:
        return []
    items = list(
        db.session.execute(
            select(EquipmentItem).order_by(EquipmentItem.sort_order, EquipmentItem.code)
        ).scalars()
    )
    stock = {(site.id, item.id): ItemStock(item) for site in sites for item in items if item.active}
    by_id = {item.id: item for item in items}
    balances = db.session.execute(
        select(StockBalance)
        .where(StockBalance.site_id.in_(site_ids), StockBalance.quantity > 0)
        .order_by(
            StockBalance.site_id,
            StockBalance.item_id,
            StockBalance.lot == NO_LOT,
            StockBalance.expires_on.is_(None),
            StockBalance.expires_on,
            StockBalance.lot,
        )
    ).scalars()
    for balance in balances:
        held = stock.setdefault(
            (balance.site_id, balance.item_id), ItemStock(by_id[balance.item_id])
        )
        held.on_hand += balance.quantity
        held.lots.append((balance.lot or None, balance.expires_on, balance.quantity))
    levels = db.session.execute(
        select(StockLevel).where(
            StockLevel.site_id.in_(site_ids), StockLevel.running_low_at.is_not(None)
        )
    ).scalars()
    for level in levels:
        held = stock.setdefault((level.site_id, level.item_id), ItemStock(by_id[level.item_id]))
        held.running_low_at = level.running_low_at
    open_shortfalls = {
        site_id: count
        for site_id, count in db.session.execute(
            select(StockShortfall.site_id, func.count(StockShortfall.id))
            .where(StockShortfall.site_id.in_(site_ids), StockShortfall.resolved_at.is_(None))
            .group_by(StockShortfall.site_id)
        )
    }
    order = {item.id: index for index, item in enumerate(items)}
    result = []
    for site in sites:
        site_items = sorted(
            (held for (site_id, _item), held in stock.items() if site_id == site.id),
            key=lambda held: order[held.item.id],
        )
        result.append(SiteStock(site, site_items, open_shortfalls.get(site.id, 0)))
    return result


def stock_as_json(site_stock: SiteStock) -> dict:
    """A site's stock as `GET /api/v1/stock` answers it (DESIGN §6)."""
    return {
        "site": site_stock.site.code,
        "items": [
            {
                "item": held.item.code,
                "on_hand": held.on_hand,
                "running_low_at": held.running_low_at,
                "low": held.low,
                "lots": [
                    {"lot": lot, "expires_on": expires_on, "quantity": quantity}
                    for lot, expires_on, quantity in held.lots
                ],
            }
            for held in site_stock.items
        ],
        "shortfalls": site_stock.shortfalls,
    }


def expiring_lots(sites: list[Site], days: int | None = None) -> list[StockBalance]:
    """Lots in stock at these sites that expire within `days` (the organisation's setting by
    default) or have expired, soonest first."""
    days = expiry_warning_days() if days is None else days
    return list(
        db.session.execute(
            select(StockBalance)
            .where(
                StockBalance.site_id.in_([site.id for site in sites]),
                StockBalance.quantity > 0,
                StockBalance.expires_on.is_not(None),
                StockBalance.expires_on <= local_today() + timedelta(days=days),
            )
            .order_by(StockBalance.expires_on, StockBalance.site_id, StockBalance.item_id)
        ).scalars()
    )


def open_shortfalls(sites: list[Site]) -> list[StockShortfall]:
    return list(
        db.session.execute(
            select(StockShortfall)
            .where(
                StockShortfall.site_id.in_([site.id for site in sites]),
                StockShortfall.resolved_at.is_(None),
            )
            .options(selectinload(StockShortfall.site), selectinload(StockShortfall.item))
            .order_by(StockShortfall.occurred_at, StockShortfall.id)
        ).scalars()
    )


def resolve_shortfall(user, shortfall_id: int, sites: list[Site]) -> StockShortfall:
    """Close an open shortfall of one of these sites (NotFound otherwise); audited."""
    shortfall = db.session.get(StockShortfall, shortfall_id)
    if shortfall is None or shortfall.site not in sites:
        raise NotFound(_("No such shortfall."))
    if shortfall.resolved_at is None:
        shortfall.resolved_at = now()
        shortfall.resolved_by_id = user.id
        record_event(
            "shortfall_resolved",
            user,
            target=str(shortfall.id),
            detail=f"{shortfall.quantity} {shortfall.item.code} at {shortfall.site.code}",
        )
    return shortfall


def set_running_low_levels(user, site: Site, levels: dict[int, int | None]) -> int:
    """Set the levels (item id -> units, or None for no level) at which a site's items run low;
    audited. Returns how many changed."""
    stored = {
        level.item_id: level
        for level in db.session.execute(
            select(StockLevel).where(StockLevel.site_id == site.id)
        ).scalars()
    }
    changed = []
    missing = [(site.id, item_id) for item_id in levels if item_id not in stored]
    if missing:
        lock_stock(missing)
        db.session.expire_all()
        stored = {
            level.item_id: level
            for level in db.session.execute(
                select(StockLevel).where(StockLevel.site_id == site.id)
            ).scalars()
        }
    for item_id, value in levels.items():
        level = stored[item_id]
        if level.running_low_at != value:
            level.running_low_at = value
            changed.append(f"{item_id}={'' if value is None else value}")
    if changed:
        record_event(
            "stock_levels_changed", user, target=site.code, detail="item ids: " + ", ".join(changed)
        )
    return len(changed)


def history(sites: list[Site], args: dict):
    """Ledger lines at these sites, newest first, filtered by site, item, kind and local days
    (`schemas.HistoryArgs`); a select to page through."""
    query = (
        select(StockEntry)
        .where(StockEntry.site_id.in_([site.id for site in sites]))
        .options(
            selectinload(StockEntry.site),
            selectinload(StockEntry.other_site),
            selectinload(StockEntry.item),
            selectinload(StockEntry.movement).selectinload(StockMovement.recorded_by),
        )
        .order_by(StockEntry.occurred_at.desc(), StockEntry.id.desc())
    )
    if args.get("site"):
        query = query.join(Site, Site.id == StockEntry.site_id).where(Site.code == args["site"])
    if args.get("item"):
        query = query.join(EquipmentItem, EquipmentItem.id == StockEntry.item_id).where(
            EquipmentItem.code == args["item"]
        )
    if args.get("kind"):
        query = query.where(StockEntry.kind == args["kind"])
    if args.get("from_"):
        query = query.where(StockEntry.occurred_at >= local_day_bounds(args["from_"])[0])
    if args.get("to"):
        query = query.where(StockEntry.occurred_at < local_day_bounds(args["to"])[1])
    return query


def sites_for_supplies(user, code: str | None = None) -> list[Site]:
    """The sites whose books a supervisor (theirs) or admin (all) keeps; one, if `code` names
    it. NotAllowed for workers; InvalidInput for an unknown site, NotAllowed for another's."""
    if user.role not in SUPPLY_ROLES:
        raise NotAllowed(_("Only supervisors and administrators keep the books."))
    return sites_of(user, code)


def sites_of(user, code: str | None = None) -> list[Site]:
    """The user's sites (an admin's: all), or the one `code` names."""
    allowed = (
        list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        if user.is_admin
        else sorted(user.sites, key=lambda site: site.code)
    )
    if code is None:
        return allowed
    for site in allowed:
        if site.code == code:
            return [site]
    if db.session.execute(select(Site.id).where(Site.code == code)).first() is None:
        raise InvalidInput(errors={"site": [_("Unknown site.")]})
    raise NotAllowed(_("You do not work at this site."))


def expiry_cutoff(days: int | None = None) -> date:
    return local_today() + timedelta(days=expiry_warning_days() if days is None else days)
