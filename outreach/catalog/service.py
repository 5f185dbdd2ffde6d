"""Reading the catalog: sites a user may use, equipment, referral types, and the offline bundle."""

import hashlib
import json
import re

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.audit.service import record_event
from outreach.catalog import vocabulary
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.fields import has_control_characters


def sites_for(user) -> list[Site]:
    """Active sites a user may record for and read: their own, or every site for an admin."""
    if user.is_admin:
        return list(
            db.session.execute(select(Site).where(Site.active).order_by(Site.code)).scalars()
        )
    return [site for site in user.sites if site.active]


def site_ids_for(user) -> set[int] | None:
    """Ids of the sites whose records a user may see; None means every site (admin)."""
    if user.is_admin:
        return None
    return {site.id for site in user.sites}


def sites_by_code(codes) -> dict[str, Site]:
    if not codes:
        return {}
    rows = db.session.execute(select(Site).where(Site.code.in_(set(codes)))).scalars()
    return {site.code: site for site in rows}


def equipment_by_code(codes) -> dict[str, EquipmentItem]:
    if not codes:
        return {}
    rows = db.session.execute(
        select(EquipmentItem).where(EquipmentItem.code.in_(set(codes)))
    ).scalars()
    return {item.code: item for item in rows}


def referral_types_by_code(codes) -> dict[str, ReferralType]:
    if not codes:
        return {}
    rows = db.session.execute(
        select(ReferralType).where(ReferralType.code.in_(set(codes)))
    ).scalars()
    return {kind.code: kind for kind in rows}


def active_equipment() -> list[EquipmentItem]:
    return list(
        db.session.execute(
            select(EquipmentItem)
            .where(EquipmentItem.active)
            .order_by(EquipmentItem.sort_order, EquipmentItem.code)
        ).scalars()
    )


def active_referral_types() -> list[ReferralType]:
    return list(
        db.session.execute(
            select(ReferralType)
            .where(ReferralType.active)
            .order_by(ReferralType.sort_order, ReferralType.code)
        ).scalars()
    )


def catalog_for(user) -> dict:
    """Everything the offline forms need, labelled in the current language, with a version hash."""
    language = str(get_locale() or "en")
    bundle = {
        "sites": [
            {"code": site.code, "name": site.name, "kind": site.kind, "city": site.city}
            for site in sites_for(user)
        ],
        "equipment": [
            {
                "code": item.code,
                "label": item.name(language),
                "category": item.category,
                "unit": item.unit,
                "counts_as_syringe": item.counts_as_syringe,
            }
            for item in active_equipment()
        ],
        "referral_types": [
            {"code": kind.code, "label": kind.name(language)} for kind in active_referral_types()
        ],
        "contact_kinds": vocabulary.choices(vocabulary.CONTACT_KINDS),
        "flags": vocabulary.choices(vocabulary.FLAGS),
        "substances": vocabulary.choices(vocabulary.SUBSTANCES),
        "routes": vocabulary.choices(vocabulary.ROUTES),
        "genders": vocabulary.choices(vocabulary.GENDERS),
        "naloxone_refill_reasons": vocabulary.choices(vocabulary.NALOXONE_REFILL_REASONS),
        "incident_kinds": vocabulary.choices(vocabulary.INCIDENT_KINDS),
        "incident_outcomes": vocabulary.choices(vocabulary.INCIDENT_OUTCOMES),
        "referral_statuses": vocabulary.choices(vocabulary.REFERRAL_STATUSES),
    }
    digest = hashlib.sha256(json.dumps(bundle, sort_keys=True).encode()).hexdigest()
    bundle["version"] = digest[:16]
    return bundle


SITE_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")


def create_site(code: str, name: str, kind: str, city: str = "", actor=None) -> Site:
    """A new site (audited); InvalidInput with field messages for a bad or taken code."""
    code, name, city = code.strip().upper(), name.strip(), city.strip()
    errors = {}
    if not SITE_CODE.fullmatch(code):
        errors["code"] = [_("A site code has 2 to 40 letters, digits and dashes, e.g. AMS-DCR1.")]
    elif db.session.execute(select(Site.id).where(Site.code == code)).first():
        errors["code"] = [_("This site code is taken.")]
    if not 1 <= len(name) <= 120 or has_control_characters(name):
        errors["name"] = [_("A site name has 1 to 120 characters.")]
    if kind not in vocabulary.SITE_KINDS:
        errors["kind"] = [_("Unknown kind of site.")]
    if len(city) > 80 or has_control_characters(city):
        errors["city"] = [_("A city has at most 80 characters.")]
    if errors:
        raise InvalidInput(errors=errors)
    site = Site(code=code, name=name, kind=kind, city=city)
    db.session.add(site)
    db.session.flush()
    record_event("site_changed", actor, target=f"site:{code}", detail=f"created: {name}; {kind}")
    return site
