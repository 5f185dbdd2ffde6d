"""What a record refers to: its site, items, referral types, or the referral it follows up.

Checked for a valid record before it is stored, and for the valid fields of an invalid one, so
that a rejected record names every problem at once.
"""

from flask_babel import gettext as _
from marshmallow import ValidationError

from outreach.catalog.codebook import Codebook
from outreach.catalog.models import Site
from outreach.errors import InvalidInput, plain
from outreach.extensions import db
from outreach.records.models import Referral


def load_record(kind: str, schema, raw, user, codebook: Codebook) -> dict:
    """`raw` loaded by `schema`; if it is invalid, InvalidInput naming every problem: the
    schema's, and what the fields that did load refer to (`reference_errors`)."""
    try:
        return schema.load(raw)
    except ValidationError as exc:
        errors = plain(exc.messages)
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        for name, messages in reference_errors(kind, user, valid, codebook).items():
            errors.setdefault(name, messages)
        raise InvalidInput(errors=errors) from exc


def reference_errors(kind: str, user, data: dict, codebook: Codebook) -> dict:
    """Field messages about what a record (possibly loaded only in part) refers to: an unknown
    or forbidden site, unknown items and referral types, the referral a follow-up is about."""
    if kind == "referral_update":
        return referral_for(user, data)[1]
    errors = _site_errors(user, data.get("site"), codebook)
    if kind == "contact":
        errors.update(_catalog_errors(data, codebook))
    return errors


def site_for(user, code: str, codebook: Codebook) -> Site:
    """The site of this code if the user may record there; InvalidInput otherwise."""
    errors = _site_errors(user, code, codebook)
    if errors:
        raise InvalidInput(errors=errors)
    return codebook.sites[code]


def _site_errors(user, code, codebook: Codebook) -> dict:
    if code is None:
        return {}
    site = codebook.sites.get(code)
    if site is None:
        return {"site": [_("Unknown site.")]}
    if not user.is_admin and site not in user.sites:
        return {"site": [_("You do not work at this site.")]}
    return {}


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
