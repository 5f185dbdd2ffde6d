"""`GET /api/v1/stock` (what a site holds) and `GET /api/v1/stock/movements` (its history).
Movements are recorded through `POST /api/v1/sync` (`stock_movements`), like every record a
device makes."""

from flask_login import current_user, login_required

from outreach.apiblueprint import ApiBlueprint
from outreach.extensions import db
from outreach.supplies import service
from outreach.supplies.schemas import EntryPageOut, HistoryArgs, StockArgs, StockOut

blp = ApiBlueprint("stock_api", __name__, url_prefix="/api/v1/stock", description="Stock.")


@blp.route("", methods=["GET"])
@login_required
@blp.arguments(StockArgs, location="query")
@blp.response(200, StockOut)
@blp.errors(401, 403)
def get_stock(args):
    """What a site of the user's holds of each item, by lot (earliest expiry first), with its
    running-low level and open shortfalls. Phones read it to show stock beside each item."""
    sites = service.sites_of(current_user, args["site"])
    return service.stock_as_json(service.stock_of_sites(sites)[0])


@blp.route("/movements", methods=["GET"])
@login_required
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, EntryPageOut)
@blp.errors(401, 403)
def list_movements(args):
    """The ledger of the user's sites (supervisors and admins), newest first: every line, with
    the movement that made it; filter by site, item, kind and days (`from`, `to`)."""
    sites = service.sites_for_supplies(current_user, args["site"])
    page = db.paginate(
        service.history(sites, args),
        page=args["page"],
        per_page=args["per_page"],
        error_out=False,
        count=True,
    )
    return {
        "movements": list(page.items),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }
