"""`GET /api/v1/catalog`: everything the offline forms need."""

from flask_login import current_user, login_required
from marshmallow import Schema, fields

from outreach.apiblueprint import ApiBlueprint
from outreach.catalog.service import catalog_for

blp = ApiBlueprint("catalog_api", __name__, url_prefix="/api/v1", description="Catalog.")


class CatalogOut(Schema):
    sites = fields.List(fields.Dict())
    equipment = fields.List(fields.Dict())
    referral_types = fields.List(fields.Dict())
    contact_kinds = fields.List(fields.Dict())
    flags = fields.List(fields.Dict())
    substances = fields.List(fields.Dict())
    routes = fields.List(fields.Dict())
    genders = fields.List(fields.Dict())
    naloxone_refill_reasons = fields.List(fields.Dict())
    incident_kinds = fields.List(fields.Dict())
    incident_outcomes = fields.List(fields.Dict())
    referral_statuses = fields.List(fields.Dict())
    version = fields.String()


@blp.route("/catalog", methods=["GET"])
@blp.response(200, CatalogOut)
@blp.errors(401)
@login_required
def catalog():
    """Sites of the user, equipment, referral types and every code list, in the user's language."""
    return catalog_for(current_user)
