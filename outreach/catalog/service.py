"""The catalog: sites a user may use, equipment, referral types, the offline bundle with its
version, and the admin's changes to them."""

import hashlib
import json

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outreach.audit.service import record_event
from outreach.catalog import vocabulary
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.schemas import EquipmentItemIn, ReferralTypeIn, SiteIn
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.fields import clean_text, has_control_characters, has_forbidden_characters
from outreach.languages import current_language
from outreach.limits import MAX_PACK_NAME, MAX_QUANTITY, MAX_USUAL_PACKS


def sites_for(user) -> list[Site]:
    """Active sites a user may record for and read: their own, or every site for an admin."""
    if user.is_admin:
        return list(
            db.session.execute(select(Site).where(Site.active).order_by(Site.code)).scalars()
        )
    return [site for site in user.sites if site.active]


def site_options(sites) -> list[tuple[str, str]]:
    """(code, "Name (CODE)") of each site, named in the reader's language: a form's choices."""
    language = current_language()
    return [(site.code, f"{site.name(language)} ({site.code})") for site in sites]


def _in_forms_order(model, *, active_only: bool) -> list:
    """Equipment items or referral types (`model`) in the forms' order."""
    query = select(model).order_by(model.sort_order, model.code)
    if active_only:
        query = query.where(model.active)
    return list(db.session.execute(query).scalars())


def active_equipment() -> list[EquipmentItem]:
    return _in_forms_order(EquipmentItem, active_only=True)


def active_referral_types() -> list[ReferralType]:
    return _in_forms_order(ReferralType, active_only=True)


def catalog_for(user) -> dict:
    """Everything the offline forms need, labelled in the current language, with a version hash."""
    language = current_language()
    bundle = {
        "sites": [
            {
                "code": site.code,
                "name": site.name(language),
                "name_en": site.name_en,
                "name_nl": site.name_nl,
                "kind": site.kind,
                "city": site.city,
                "usual_packs": site.usual_packs_in(language),
            }
            for site in sites_for(user)
        ],
        "equipment": [
            {
                "code": item.code,
                "label": item.name(language),
                "category": item.category,
                "unit": item.unit(language),
                "unit_en": item.unit_en,
                "unit_nl": item.unit_nl,
                "counts_as_syringe": item.counts_as_syringe,
            }
            for item in active_equipment()
        ],
        "referral_types": [
            {"code": referral_type.code, "label": referral_type.name(language)}
            for referral_type in active_referral_types()
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


def catalog_version(user) -> str:
    """The version of `user`'s catalog in the current language: the field pages carry the one
    they were made with, and `GET /api/v1/me` the current one, so a phone knows after a sync
    when the pages it keeps for offline use are out of date."""
    return catalog_for(user)["version"]


# Catalog administration. Codes never change once made: records, exports and outboxes on
# phones name them. Nothing is ever deleted either: a site, item or referral type is retired
# (left off the forms) and every record naming it, also one still waiting on a phone, stays
# valid (catalog.codebook.load_codebook loads retired entries too).


def all_sites() -> list[Site]:
    """Every site, active or retired, by code."""
    return list(db.session.execute(select(Site).order_by(Site.code)).scalars())


def all_equipment() -> list[EquipmentItem]:
    """Every equipment item, active or retired, in the forms' order."""
    return _in_forms_order(EquipmentItem, active_only=False)


def all_referral_types() -> list[ReferralType]:
    """Every referral type, active or retired, in the forms' order."""
    return _in_forms_order(ReferralType, active_only=False)


def _find_by_code(model, code: str):
    # A code the database could not even hold (PostgreSQL refuses NUL) names nothing.
    if has_forbidden_characters(code):
        return None
    return db.session.execute(select(model).where(model.code == code)).scalar_one_or_none()


def find_site(code: str) -> Site | None:
    return _find_by_code(Site, code)


def find_equipment_item(code: str) -> EquipmentItem | None:
    return _find_by_code(EquipmentItem, code)


def find_referral_type(code: str) -> ReferralType | None:
    return _find_by_code(ReferralType, code)


def next_sort_order(model) -> int:
    """The position after the last one: where a new item or referral type goes by default."""
    last = db.session.execute(select(func.max(model.sort_order))).scalar()
    return 0 if last is None else last + 1


def _load(schema: Schema, values: dict) -> tuple[dict, dict]:
    """(the valid fields, field messages for the others)."""
    try:
        return schema.load(values), {}
    except ValidationError as exc:
        return exc.valid_data or {}, dict(exc.messages)


def _check_pack_name(pack: dict, key: str, taken: set, errors: dict) -> str:
    """A pack's name in one language (`key` is `usual_packs.N.name_en` or `...name_nl`),
    cleaned; a message in `errors` when it is empty, too long or another pack's."""
    name = pack.get(key.rsplit(".", 1)[1])
    name = clean_text(name if isinstance(name, str) else "")
    if not 1 <= len(name) <= MAX_PACK_NAME or has_control_characters(name):
        errors[key] = [_("A pack name has 1 to %(n)d characters.", n=MAX_PACK_NAME)]
    elif name.casefold() in taken:
        errors[key] = [_("Another pack of this site has this name.")]
    taken.add(name.casefold())
    return name


def check_usual_packs(packs) -> tuple[list[dict], dict]:
    """Usual packs as the site keeps them, `[{"name_en": ..., "name_nl": ..., "items": {code:
    quantity}}]`, and field messages keyed `usual_packs`, `usual_packs.N` (the pack),
    `usual_packs.N.name_en`, `usual_packs.N.name_nl` and `usual_packs.N.items.CODE`. A pack
    may name a retired item (it is skipped on the form) but not an unknown one."""
    if not isinstance(packs, list | tuple):
        return [], {"usual_packs": [_("Usual packs must be a list.")]}
    errors = {}
    if len(packs) > MAX_USUAL_PACKS:
        errors["usual_packs"] = [_("A site has at most %(n)d usual packs.", n=MAX_USUAL_PACKS)]
    known = set(db.session.execute(select(EquipmentItem.code)).scalars())
    clean, names_en, names_nl = [], set(), set()
    for index, pack in enumerate(packs):
        key = f"usual_packs.{index}"
        if not isinstance(pack, dict):
            errors[key] = [_("A usual pack has a name and items.")]
            continue
        name_en = _check_pack_name(pack, f"{key}.name_en", names_en, errors)
        name_nl = _check_pack_name(pack, f"{key}.name_nl", names_nl, errors)
        items = pack.get("items")
        if not isinstance(items, dict) or not items:
            errors[key] = [_("A pack needs at least one item with a quantity.")]
            continue
        unknown = sorted(str(code)[:40] for code in items if code not in known)
        if unknown:
            errors[key] = [_("Unknown item: %(codes)s.", codes=", ".join(unknown))]
        for code, quantity in items.items():
            if code not in known:
                continue
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not 1 <= quantity <= MAX_QUANTITY
            ):
                errors[f"{key}.items.{code}"] = [
                    _("A quantity is a whole number from 1 to %(n)d.", n=MAX_QUANTITY)
                ]
        clean.append({"name_en": name_en, "name_nl": name_nl, "items": dict(items)})
    return clean, errors


def _insert(row, code_field: str, message: str) -> None:
    """Add a new catalog row; two admins taking the same code at once get a field message,
    not an error page (the unique constraint decides)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise InvalidInput(errors={code_field: [message]}) from None


def _apply(row, data: dict, names) -> list[str]:
    """Set the fields of `data` named in `names` on `row`; what changed, for the audit log."""
    changes = []
    for name in names:
        if name in data and getattr(row, name) != data[name]:
            setattr(row, name, data[name])
            value = data[name]
            if isinstance(value, bool):
                value = "yes" if value else "no"
            changes.append(f"{name} {value}")
    return changes


def _packs_summary(packs: list[dict]) -> str:
    return (
        ", ".join(
            f"{pack['name_en']} / {pack['name_nl']} ({len(pack['items'])} items)" for pack in packs
        )
        or "-"
    )


def create_site(
    code: str,
    name_en: str,
    name_nl: str,
    kind: str,
    city: str = "",
    actor=None,
    *,
    active: bool = True,
    usual_packs=(),
) -> Site:
    """A new site (audited); InvalidInput with field messages for a bad or taken code, a bad
    name (English or Dutch), kind or city, or a usual pack that is not right."""
    data, errors = _load(
        SiteIn(),
        {
            "code": code,
            "name_en": name_en,
            "name_nl": name_nl,
            "kind": kind,
            "city": city,
            "active": active,
        },
    )
    packs, pack_errors = check_usual_packs(list(usual_packs or ()))
    errors.update(pack_errors)
    taken = _("This site code is taken.")
    if "code" in data and find_site(data["code"]) is not None:
        errors["code"] = [taken]
    if errors:
        raise InvalidInput(errors=errors)
    site = Site(**data, usual_packs=packs)
    _insert(site, "code", taken)
    detail = f"created: {site.name_en} / {site.name_nl}; {site.kind}"
    if packs:
        detail += f"; usual packs {_packs_summary(packs)}"
    if not site.active:
        detail += "; retired"
    record_event("site_changed", actor, target=f"site:{site.code}", detail=detail)
    return site


def update_site(site: Site, values: dict, actor) -> None:
    """Change a site's names, kind, city, active and usual packs (audited when anything
    changed); its code stays. InvalidInput with field messages."""
    scalars = {name: value for name, value in values.items() if name != "usual_packs"}
    data, errors = _load(SiteIn(exclude=("code",)), scalars)
    packs, pack_errors = check_usual_packs(values.get("usual_packs") or [])
    errors.update(pack_errors)
    if errors:
        raise InvalidInput(errors=errors)
    changes = _apply(site, data, ("name_en", "name_nl", "kind", "city", "active"))
    if packs != (site.usual_packs or []):
        site.usual_packs = packs  # a new list: the JSON column sees only assignments
        changes.append(f"usual packs {_packs_summary(packs)}")
    if changes:
        db.session.flush()
        record_event("site_changed", actor, target=f"site:{site.code}", detail="; ".join(changes))


EQUIPMENT_FIELDS = (
    "name_en",
    "name_nl",
    "category",
    "unit_en",
    "unit_nl",
    "counts_as_syringe",
    "sort_order",
    "active",
)
REFERRAL_TYPE_FIELDS = ("name_en", "name_nl", "sort_order", "active")


def _create_catalog_entry(
    model, schema: Schema, values: dict, find, actor, target: str, details=lambda _row: ""
) -> EquipmentItem | ReferralType:
    """A new equipment item or referral type (`model`), audited as `target:CODE` with its names
    and what `details` says of it; without a position it goes last. InvalidInput with field
    messages for a bad value or a code that `find` finds (taken)."""
    data, errors = _load(schema, values)
    taken = _("This code is taken.")
    if "code" in data and find(data["code"]) is not None:
        errors["code"] = [taken]
    if errors:
        raise InvalidInput(errors=errors)
    if data["sort_order"] is None:
        data["sort_order"] = next_sort_order(model)
    row = model(**data)
    _insert(row, "code", taken)
    record_event(
        "catalog_changed",
        actor,
        target=f"{target}:{row.code}",
        detail=f"created: {row.name_en} / {row.name_nl}{details(row)}"
        + ("" if row.active else "; retired"),
    )
    return row


def _update_catalog_entry(row, schema: Schema, values: dict, names, actor, target: str) -> None:
    """Set the fields `names` of an equipment item or referral type to `values` (audited as
    `target` when anything changed); without a position it keeps its place."""
    data, errors = _load(schema, values)
    if errors:
        raise InvalidInput(errors=errors)
    if data["sort_order"] is None:
        data.pop("sort_order")
    changes = _apply(row, data, names)
    if changes:
        db.session.flush()
        record_event("catalog_changed", actor, target=target, detail="; ".join(changes))


def create_equipment_item(values: dict, actor) -> EquipmentItem:
    """A new equipment item (audited); without a position it goes last."""
    return _create_catalog_entry(
        EquipmentItem,
        EquipmentItemIn(),
        values,
        find_equipment_item,
        actor,
        "equipment",
        lambda item: (
            f"; {item.category}; {item.unit_en} / {item.unit_nl}"
            + ("; counts as syringe" if item.counts_as_syringe else "")
        ),
    )


def update_equipment_item(item: EquipmentItem, values: dict, actor) -> None:
    """Change an item's names, category, units, syringe count, position or active (audited
    when anything changed); its code stays."""
    _update_catalog_entry(
        item,
        EquipmentItemIn(exclude=("code",)),
        values,
        EQUIPMENT_FIELDS,
        actor,
        target=f"equipment:{item.code}",
    )


def create_referral_type(values: dict, actor) -> ReferralType:
    """A new referral type (audited); without a position it goes last."""
    return _create_catalog_entry(
        ReferralType, ReferralTypeIn(), values, find_referral_type, actor, "referral_type"
    )


def update_referral_type(referral_type: ReferralType, values: dict, actor) -> None:
    """Change a referral type's names, position or active (audited when anything changed);
    its code stays."""
    _update_catalog_entry(
        referral_type,
        ReferralTypeIn(exclude=("code",)),
        values,
        REFERRAL_TYPE_FIELDS,
        actor,
        target=f"referral_type:{referral_type.code}",
    )
