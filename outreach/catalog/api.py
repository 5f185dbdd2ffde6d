"""`GET /api/v1/catalog`: everything the offline forms need."""

from flask_login import current_user, login_required
from marshmallow import Schema, fields

from outreach.apiblueprint import ApiBlueprint
from outreach.catalog.schemas import EquipmentItemOut, SiteOut
from outreach.catalog.service import catalog_for

blp = ApiBlueprint("catalog_api", __name__, url_prefix="/api/v1", description="Catalog.")


# Each list the offline forms need, as objects (a code and a label, and more for some).
LISTS = (
    "referral_types",
    "contact_kinds",
    "flags",
    "substances",
    "routes",
    "genders",
    "naloxone_refill_reasons",
    "incident_kinds",
    "incident_outcomes",
    "referral_statuses",
)
CatalogOut = Schema.from_dict(
    {
        "sites": fields.List(fields.Nested(SiteOut)),
        "equipment": fields.List(fields.Nested(EquipmentItemOut)),
        **{name: fields.List(fields.Dict()) for name in LISTS},
        "version": fields.String(),
    },
    name="CatalogOut",
)


@blp.route("/catalog", methods=["GET"])
@blp.response(200, CatalogOut)
@blp.errors(401)
@login_required
def catalog():
    """Sites of the user, equipment, referral types and every code list, in the user's language."""
    return catalog_for(current_user)
