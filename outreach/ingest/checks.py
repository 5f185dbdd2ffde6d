"""What a record refers to: its site, items, referral types, or the referral it follows up.

Checked for a valid record before it is stored, and for the valid fields of an invalid one, so
that a rejected record names every problem at once.
"""

from flask_babel import gettext as _

from outreach.catalog.codebook import Codebook
from outreach.extensions import db
from outreach.fields import load_with_references
from outreach.records.models import Referral


def load_record(kind: str, schema, raw, user, codebook: Codebook) -> dict:
    """`raw` loaded by `schema`; if it is invalid, InvalidInput naming every problem: the
    schema's, and what the fields that did load refer to (`reference_errors`)."""
    return load_with_references(
        schema, raw, lambda valid: reference_errors(kind, user, valid, codebook)
    )


def reference_errors(kind: str, user, data: dict, codebook: Codebook) -> dict:
    """Field messages about what a record (possibly loaded only in part) refers to: an unknown
    or forbidden site, unknown items and referral types, the referral a follow-up is about."""
    if kind == "referral_update":
        return referral_for(user, data)[1]
    errors = codebook.site_errors(user, data.get("site"))
    if kind == "contact":
        errors.update(_catalog_errors(data, codebook))
    return errors


def _catalog_errors(data: dict, codebook: Codebook) -> dict:
    """Unknown item and referral type codes of a contact."""
    errors = {}
    unknown_items = [
        item["code"]
        for item in data.get("items", [])
        if "code" in item and item["code"] not in codebook.equipment
    ]
    if unknown_items:
        errors["items"] = [_("Unknown item: %(codes)s.", codes=", ".join(unknown_items))]
    unknown_types = [
        referral["type"]
        for referral in data.get("referrals", [])
        if "type" in referral and referral["type"] not in codebook.referral_types
    ]
    if unknown_types:
        errors["referrals"] = [
            _("Unknown referral type: %(codes)s.", codes=", ".join(unknown_types))
        ]
    return errors


def referral_for(user, data: dict) -> tuple[Referral | None, dict]:
    """The referral a follow-up is about, and field messages if it may not be followed up."""
    if "referral_id" not in data:
        return None, {}
    referral = db.session.get(Referral, data["referral_id"])
    if referral is None:
        return None, {"referral_id": [_("Unknown referral.")]}
    contact = referral.contact
    if not user.is_admin and contact.site not in user.sites:
        # The same answer as for no referral at all: whether another site's id exists is
        # nobody's business here.
        return None, {"referral_id": [_("Unknown referral.")]}
    if contact.is_voided:
        return referral, {"referral_id": [_("The contact of this referral was voided.")]}
    if "occurred_at" in data and data["occurred_at"] < contact.occurred_at:
        return referral, {
            "occurred_at": [_("The follow-up is dated before the referral was made.")]
        }
    return referral, {}
