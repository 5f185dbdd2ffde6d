"""Catalog administration (admins only), on the `admin` blueprint: `/admin/sites`,
`/admin/equipment` and `/admin/referral-types`, each a list, a form for a new entry and a form to
change one (a code is fixed once made). Retiring is a change like any other; nothing is deleted.
Phones see a change after their next sync (static/js/catalog.js)."""

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from outreach.admin.views import bp
from outreach.auth.access import roles_required
from outreach.catalog import service
from outreach.catalog.models import EquipmentItem, ReferralType
from outreach.catalog.vocabulary import EQUIPMENT_CATEGORIES, SITE_KINDS
from outreach.errors import InvalidInput, NotFound, plain
from outreach.extensions import db

PACK_FIELD = re.compile(r"usual_packs\.(\d{1,2})\.(name|remove|items\.(.+))\Z")


def _found(row):
    if row is None:
        raise NotFound()
    return row


def _checked(form, name: str) -> bool:
    return form.get(name) == "on"


def _whole_number(text: str):
    """A quantity as typed: a whole number where it is one, else the text for the message."""
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def packs_from_form(form) -> list[dict]:
    """The usual packs a site form posts (`usual_packs.N.name`, `usual_packs.N.items.CODE`,
    `usual_packs.N.remove`), in the form's order: a pack left empty or marked for removal
    goes, and so does an item whose quantity is empty or 0."""
    packs: dict[int, dict] = {}
    for key, value in form.items(multi=False):
        match = PACK_FIELD.match(key)
        if match is None:
            continue
        pack = packs.setdefault(int(match[1]), {"name": "", "items": {}, "remove": False})
        if match[2] == "name":
            pack["name"] = value.strip()
        elif match[2] == "remove":
            pack["remove"] = value == "on"
        elif value.strip() not in ("", "0"):
            pack["items"][match[3]] = _whole_number(value)
    return [
        {"name": pack["name"], "items": pack["items"]}
        for _index, pack in sorted(packs.items())
        if not pack["remove"] and (pack["name"] or pack["items"])
    ]


def _pack_values(packs: list[dict]) -> dict:
    values = {}
    for index, pack in enumerate(packs):
        values[f"usual_packs.{index}.name"] = pack.get("name", "")
        for code, quantity in (pack.get("items") or {}).items():
            values[f"usual_packs.{index}.items.{code}"] = str(quantity)
    return values


def _pack_items(packs: list[dict]) -> list[list[tuple[str, str]]]:
    """For each pack and the empty one after them, (code, label) of the items it may hold:
    the active ones, and retired ones the pack still names (so that they can be taken out)."""
    equipment = service.all_equipment()
    language = _language()
    lists = []
    for pack in [*packs, {}]:
        named = pack.get("items") or {}
        lists.append(
            [
                (item.code, item.name(language))
                if item.active
                else (item.code, _("%(name)s (retired)", name=item.name(language)))
                for item in equipment
                if item.active or item.code in named
            ]
        )
    return lists


def _language() -> str:
    return str(get_locale() or "en")


def _typed(form, names) -> MultiDict:
    """What was typed, to show again beside the messages."""
    return MultiDict({name: form.get(name, "") for name in names})


def _refused_form(form_page, entry, typed: MultiDict, exc: InvalidInput):
    """Nothing is saved: `form_page` for `entry` (None: a new one) again, with what was typed
    and the messages, as 422."""
    db.session.rollback()
    return form_page(entry, typed, plain(exc.errors), 422)


def _saved(entry, list_endpoint: str):
    """Commit the saved item or referral type, say so, and go back to its list."""
    db.session.commit()
    flash(
        _("%(name)s is saved. Phones get it at their next sync.", name=entry.name(_language())),
        "info",
    )
    return redirect(url_for(list_endpoint))


# Sites


@bp.route("/sites")
@roles_required("admin")
def sites():
    """Every site, active or retired, with its usual packs."""
    return render_template("admin/sites.html", sites=service.all_sites(), kinds=SITE_KINDS)


def _site_form(site=None, values=None, packs=None, errors=None, status=200):
    """The form for a new site (`site` None) or to change one; one empty pack to fill in."""
    if values is None:
        values = (
            {
                "name": site.name,
                "kind": site.kind,
                "city": site.city,
                "active": "on" if site.active else "",
            }
            if site
            else {"kind": "outreach", "active": "on"}
        )
        packs = list(site.usual_packs or []) if site else []
    page = render_template(
        "admin/site_form.html",
        site=site,
        values={**values, **_pack_values(packs)},
        packs=packs,
        pack_items=_pack_items(packs),
        errors=errors or {},
        kinds=SITE_KINDS,
    )
    return page, status


def _site_values(form) -> dict:
    return {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "city": form.get("city", ""),
        "active": _checked(form, "active"),
    }


def _refused_site_form(site, form, packs, exc: InvalidInput):
    db.session.rollback()
    values = {name: form.get(name, "") for name in ("code", "name", "kind", "city", "active")}
    return _site_form(site, values, packs, plain(exc.errors), 422)


@bp.route("/sites/new", methods=["GET", "POST"])
@roles_required("admin")
def new_site():
    """A new site: its code (fixed from then on), name, kind, city and usual packs."""
    if request.method == "GET":
        return _site_form()
    form = request.form
    packs = packs_from_form(form)
    values = _site_values(form)
    try:
        site = service.create_site(
            form.get("code", ""),
            values["name"],
            values["kind"],
            values["city"],
            current_user,
            active=values["active"],
            usual_packs=packs,
        )
    except InvalidInput as exc:
        return _refused_site_form(None, form, packs, exc)
    db.session.commit()
    flash(_("Site %(code)s is saved. Phones get it at their next sync.", code=site.code), "info")
    return redirect(url_for("admin.sites"))


@bp.route("/sites/<code>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_site(code):
    """Change a site's name, kind, city, usual packs, or retire it; its code stays."""
    site = _found(service.find_site(code))
    if request.method == "GET":
        return _site_form(site)
    form = request.form
    packs = packs_from_form(form)
    try:
        service.update_site(site, {**_site_values(form), "usual_packs": packs}, current_user)
    except InvalidInput as exc:
        return _refused_site_form(_found(service.find_site(code)), form, packs, exc)
    db.session.commit()
    flash(_("Site %(code)s is saved. Phones get it at their next sync.", code=site.code), "info")
    return redirect(url_for("admin.sites"))


# Equipment items

EQUIPMENT_FORM = ("code", "name_en", "name_nl", "category", "unit", "sort_order")
EQUIPMENT_TYPED = (*EQUIPMENT_FORM, "counts_as_syringe", "active")


def _equipment_values(form, new: bool) -> dict:
    """The item as the form posts it; the code only for a new one (it never changes)."""
    values = {name: form.get(name, "") for name in EQUIPMENT_FORM if new or name != "code"}
    values["sort_order"] = values["sort_order"].strip() or None
    values["counts_as_syringe"] = _checked(form, "counts_as_syringe")
    values["active"] = _checked(form, "active")
    return values


@bp.route("/equipment")
@roles_required("admin")
def equipment():
    """Every equipment item, active or retired, in the forms' order."""
    return render_template(
        "admin/equipment.html", items=service.all_equipment(), categories=EQUIPMENT_CATEGORIES
    )


def _equipment_form(item=None, values=None, errors=None, status=200):
    if values is None:
        if item:
            values = {name: getattr(item, name) for name in EQUIPMENT_FORM}
            values["counts_as_syringe"] = "on" if item.counts_as_syringe else ""
            values["active"] = "on" if item.active else ""
        else:
            values = {
                "unit": "piece",
                "active": "on",
                "sort_order": service.next_sort_order(EquipmentItem),
            }
    page = render_template(
        "admin/equipment_form.html",
        item=item,
        values=values,
        errors=errors or {},
        categories=EQUIPMENT_CATEGORIES,
    )
    return page, status


@bp.route("/equipment/new", methods=["GET", "POST"])
@roles_required("admin")
def new_equipment_item():
    """A new equipment item: code (fixed from then on), names, category, unit, position."""
    if request.method == "GET":
        return _equipment_form()
    form = request.form
    try:
        item = service.create_equipment_item(_equipment_values(form, new=True), current_user)
    except InvalidInput as exc:
        return _refused_form(_equipment_form, None, _typed(form, EQUIPMENT_TYPED), exc)
    return _saved(item, "admin.equipment")


@bp.route("/equipment/<code>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_equipment_item(code):
    """Change an item's names, category, unit, position, or retire it; its code stays."""
    item = _found(service.find_equipment_item(code))
    if request.method == "GET":
        return _equipment_form(item)
    form = request.form
    try:
        service.update_equipment_item(item, _equipment_values(form, new=False), current_user)
    except InvalidInput as exc:
        return _refused_form(_equipment_form, item, _typed(form, EQUIPMENT_TYPED), exc)
    return _saved(item, "admin.equipment")


# Referral types

REFERRAL_TYPE_FORM = ("code", "name_en", "name_nl", "sort_order")
REFERRAL_TYPE_TYPED = (*REFERRAL_TYPE_FORM, "active")


def _referral_type_values(form, new: bool) -> dict:
    """The referral type as the form posts it; the code only for a new one."""
    values = {name: form.get(name, "") for name in REFERRAL_TYPE_FORM if new or name != "code"}
    values["sort_order"] = values["sort_order"].strip() or None
    values["active"] = _checked(form, "active")
    return values


@bp.route("/referral-types")
@roles_required("admin")
def referral_types():
    """Every referral type, active or retired, in the forms' order."""
    return render_template("admin/referral_types.html", kinds=service.all_referral_types())


def _referral_type_form(kind=None, values=None, errors=None, status=200):
    if values is None:
        if kind:
            values = {name: getattr(kind, name) for name in REFERRAL_TYPE_FORM}
            values["active"] = "on" if kind.active else ""
        else:
            values = {"active": "on", "sort_order": service.next_sort_order(ReferralType)}
    page = render_template(
        "admin/referral_type_form.html", kind=kind, values=values, errors=errors or {}
    )
    return page, status


@bp.route("/referral-types/new", methods=["GET", "POST"])
@roles_required("admin")
def new_referral_type():
    """A new referral type: code (fixed from then on), names, position."""
    if request.method == "GET":
        return _referral_type_form()
    form = request.form
    try:
        kind = service.create_referral_type(_referral_type_values(form, new=True), current_user)
    except InvalidInput as exc:
        return _refused_form(_referral_type_form, None, _typed(form, REFERRAL_TYPE_TYPED), exc)
    return _saved(kind, "admin.referral_types")


@bp.route("/referral-types/<code>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_referral_type(code):
    """Change a referral type's names, position, or retire it; its code stays."""
    kind = _found(service.find_referral_type(code))
    if request.method == "GET":
        return _referral_type_form(kind)
    form = request.form
    try:
        service.update_referral_type(kind, _referral_type_values(form, new=False), current_user)
    except InvalidInput as exc:
        return _refused_form(_referral_type_form, kind, _typed(form, REFERRAL_TYPE_TYPED), exc)
    return _saved(kind, "admin.referral_types")
