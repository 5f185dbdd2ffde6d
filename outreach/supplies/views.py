"""The supervisors' and admins' supplies pages (DESIGN §5): `/supplies` (stock per site, running
low, expiring, open shortfalls), the six movement forms, the history of the ledger and the
running-low levels. Server-rendered; they work without JavaScript."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from outreach.auth.access import roles_required
from outreach.catalog.codebook import load_codebook
from outreach.catalog.service import active_equipment, all_equipment, site_options, sites_for
from outreach.errors import InvalidInput, NotFound, plain
from outreach.extensions import db
from outreach.identity import DUPLICATE
from outreach.languages import current_language
from outreach.limits import MAX_STOCK_QUANTITY
from outreach.settings import expiry_warning_days
from outreach.supplies import service
from outreach.supplies.forms import (
    QUANTITY_HINTS,
    fields_of,
    form_messages,
    level_field,
    levels_from_form,
    local_now_value,
    movement_from_form,
)
from outreach.supplies.movements import SUPPLY_ROLES, load_movement, record_movement
from outreach.supplies.schemas import HistoryArgs, StockMovementIn
from outreach.supplies.vocabulary import (
    ADJUSTMENT_REASONS,
    DISPOSAL_REASONS,
    ENTRY_KINDS,
    MOVEMENT_KINDS,
    REASONS,
    SOURCES,
)
from outreach.timekeeping import local_today
from outreach.transactions import form_transaction, transaction

bp = Blueprint("supplies", __name__, url_prefix="/supplies")

HISTORY_PER_PAGE = 50
_SITE_ARGUMENT = HistoryArgs(only=("site",))
# The history's query arguments (others, such as `per_page`, are left out of its links).
HISTORY_FILTERS = ("site", "item", "kind", "from", "to", "page")
# The least quantity each kind takes (an adjustment's is signed; a count may find none).
LEAST_QUANTITY = {"adjustment": -MAX_STOCK_QUANTITY, "count": 0}


@bp.app_template_global()
def keeps_books(user) -> bool:
    """Whether the main navigation offers this user the supplies pages."""
    return user.is_authenticated and user.role in SUPPLY_ROLES


def _site_code(args) -> str | None:
    """The site the address names (`?site=CODE`), checked as the API checks it; None for none."""
    code = (args.get("site") or "").strip()
    if not code:
        return None
    try:
        return _SITE_ARGUMENT.load({"site": code})["site"]
    except ValidationError as exc:
        raise InvalidInput(errors=plain(exc.messages)) from exc


def signed(value: int) -> str:
    """A change of stock with its sign, in the reader's notation: "+20", "-5"."""
    return format_decimal(value, format="+#,##0;-#,##0") if value else "0"


@bp.route("")
@roles_required(*SUPPLY_ROLES)
def overview():
    """What the chosen site (or every site of the user's) holds, what runs low, what expires
    soon, the shortfalls to look into, and the buttons to record a movement."""
    code = _site_code(request.args)
    sites = service.sites_for_supplies(current_user, code)
    stock = service.stock_of_sites(sites)
    items = {item.id: item for item in all_equipment()}
    site_by_id = {site.id: site for site in sites}
    days = expiry_warning_days()
    expiring = [
        {
            "site": site_by_id[lot.site_id],
            "item": items[lot.item_id],
            "lot": lot.lot or None,
            "expires_on": lot.expires_on,
            "quantity": lot.quantity,
            "expired": lot.expires_on < local_today(),
        }
        for lot in service.expiring_lots(sites, days)
    ]
    running_low = [
        (site_stock.site, held) for site_stock in stock for held in site_stock.items if held.low
    ]
    return render_template(
        "supplies/overview.html",
        code=code,
        site_options=site_options(service.sites_for_supplies(current_user)),
        stock=stock,
        running_low=running_low,
        expiring=expiring,
        days=days,
        shortfalls=service.open_shortfalls(sites),
        kinds=MOVEMENT_KINDS,
    )


@bp.route("/shortfalls/<int:shortfall_id>/resolve", methods=["POST"])
@roles_required(*SUPPLY_ROLES)
def resolve_shortfall(shortfall_id: int):
    """Close an open shortfall of one of the user's sites (audited); back to the overview."""
    back_to = _site_code(request.args)
    with transaction():
        service.resolve_shortfall(
            current_user, shortfall_id, service.sites_for_supplies(current_user)
        )
    flash(_("Shortfall resolved."), "success")
    return redirect(url_for("supplies.overview", site=back_to))


def _movement_context(kind: str, chosen: str | None) -> dict:
    """What a movement form shows: the user's sites, the items offered, the kind's fields."""
    language = current_language()
    reasons = ADJUSTMENT_REASONS if kind == "adjustment" else DISPOSAL_REASONS
    return {
        "kind": kind,
        "kind_label": MOVEMENT_KINDS[kind],
        "fields": fields_of(kind),
        "chosen": chosen,
        "site_options": site_options(sites_for(current_user)),
        "item_options": [(item.code, item.name(language)) for item in active_equipment()],
        "source_options": list(SOURCES.items()),
        "reason_options": [(code, REASONS[code]) for code in reasons],
        "quantity_min": LEAST_QUANTITY.get(kind, 1),
        "quantity_hint": QUANTITY_HINTS[kind],
        "now_value": local_now_value(),
        "new_id": str(uuid.uuid4()),
    }


@bp.route("/new/<kind>", methods=["GET", "POST"])
@roles_required(*SUPPLY_ROLES)
def new_movement(kind: str):
    """One movement's form, with only the fields its kind takes; saved, it goes back to the
    overview of its site; refused, it comes back with the messages beside the fields (422).
    The form's id makes a form posted twice one movement."""
    if kind not in MOVEMENT_KINDS:
        raise NotFound()
    chosen = _site_code(request.args)
    if chosen is not None:  # a site named in the address must be one of the user's
        service.sites_for_supplies(current_user, chosen)
    errors, values = {}, {}
    if request.method == "POST":
        record = movement_from_form(request.form, kind)
        with form_transaction(lambda found: form_messages(found, kind)) as work:
            codebook = load_codebook()
            data = load_movement(StockMovementIn(), record, current_user, codebook)
            outcome = record_movement(current_user, data, codebook)
        if work.saved:
            if outcome == DUPLICATE:
                flash(_("This movement was already saved."), "info")
            else:
                flash(_("Movement saved."), "success")
            return redirect(url_for("supplies.overview", site=data["site"]))
        errors, values = work.errors, request.form
    page = render_template(
        "supplies/movement_form.html",
        errors=errors,
        values=values,
        **_movement_context(kind, chosen),
    )
    return page, 422 if errors else 200


@bp.route("/history")
@roles_required(*SUPPLY_ROLES)
def history():
    """The ledger of the user's sites, newest first, 50 lines a page: filter by site, item,
    kind and days. Bad filters come back with their messages (422)."""
    typed = {
        key: value
        for key, value in request.args.items()
        if key in HISTORY_FILTERS and value.strip()
    }
    errors = {}
    try:
        args = HistoryArgs().load(typed)
    except ValidationError as exc:
        errors = plain(exc.messages)
    lines = None
    if not errors:
        try:
            sites = service.sites_for_supplies(current_user, args["site"])
        except InvalidInput as exc:
            errors = plain(exc.errors)
        else:
            lines = db.paginate(
                service.history(sites, args),
                page=args["page"],
                per_page=HISTORY_PER_PAGE,
                error_out=False,
            )

    def page_url(number: int) -> str:
        return url_for("supplies.history", **{**typed, "page": number})

    language = current_language()
    page = render_template(
        "supplies/history.html",
        typed=typed,
        errors=errors,
        lines=lines,
        page_url=page_url,
        site_options=site_options(service.sites_for_supplies(current_user)),
        item_options=[(item.code, item.name(language)) for item in all_equipment()],
        kinds=ENTRY_KINDS,
        sources=SOURCES,
        reasons=REASONS,
        signed=signed,
    )
    return page, 422 if errors else 200


@bp.route("/levels", methods=["GET", "POST"])
@roles_required(*SUPPLY_ROLES)
def levels():
    """The levels at which a site's items run low (one site: the one named, else the user's
    first); saved and audited, then back to the overview of the site."""
    code = _site_code(request.args)
    if code is None and request.method == "POST":
        raise InvalidInput(errors={"site": [_("Choose a site.")]})
    all_sites = service.sites_for_supplies(current_user)
    sites = service.sites_for_supplies(current_user, code) if code else all_sites[:1]
    items = active_equipment()
    errors, values = {}, {}
    if sites and request.method == "POST":
        chosen, errors = levels_from_form(request.form, items)
        if not errors:
            with form_transaction() as work:
                service.set_running_low_levels(current_user, sites[0], chosen)
            errors = work.errors
        if not errors:
            flash(_("Running-low levels saved."), "success")
            return redirect(url_for("supplies.overview", site=sites[0].code))
        values = request.form
    stock = service.stock_of_sites(sites)
    page = render_template(
        "supplies/levels.html",
        site=sites[0] if sites else None,
        all_sites=all_sites,
        held_stock={held.item.id: held for held in stock[0].items} if stock else {},
        site_options=site_options(all_sites),
        items=items,
        level_field=level_field,
        errors=errors,
        values=values,
    )
    return page, 422 if errors else 200
