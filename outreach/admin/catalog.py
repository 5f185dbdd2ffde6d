"""Catalog administration (admins only), on the `admin` blueprint: `/admin/sites`,
`/admin/equipment` and `/admin/referral-types`, each a list, a form for a new entry and a form to
change one (a code is fixed once made). Retiring is a change like any other; nothing is deleted.
Phones see a change after their next sync (static/js/catalog.js)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from outreach.auth.access import roles_required
from outreach.catalog import service
from outreach.catalog.models import EquipmentItem, ReferralType
from outreach.catalog.vocabulary import EQUIPMENT_CATEGORIES, SITE_KINDS
from outreach.errors import NotFound
from outreach.languages import current_language
from outreach.transactions import form_transaction

PACK_FIELD = re.compile(r"usual_packs\.(\d{1,2})\.(name_en|name_nl|remove|items\.(.+))\Z")
PACK_NAMES = ("name_en", "name_nl")


def add_routes(blueprint: Blueprint) -> None:
    """The pages of the sites, the equipment items and the referral types, on the admin
    blueprint."""
    blueprint.add_url_rule("/sites", view_func=sites)
    blueprint.add_url_rule("/sites/new", view_func=new_site, methods=["GET", "POST"])
    blueprint.add_url_rule("/sites/<code>/edit", view_func=edit_site, methods=["GET", "POST"])
    EQUIPMENT.add_routes(blueprint)
    REFERRAL_TYPES.add_routes(blueprint)


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
    """The usual packs a site form posts (`usual_packs.N.name_en`, `usual_packs.N.name_nl`,
    `usual_packs.N.items.CODE`, `usual_packs.N.remove`), in the form's order: a pack left empty
    or marked for removal goes, and so does an item whose quantity is empty or 0."""
    packs: dict[int, dict] = {}
    for key, value in form.items(multi=False):
        match = PACK_FIELD.match(key)
        if match is None:
            continue
        pack = packs.setdefault(
            int(match[1]), {"name_en": "", "name_nl": "", "items": {}, "remove": False}
        )
        if match[2] in PACK_NAMES:
            pack[match[2]] = value.strip()
        elif match[2] == "remove":
            pack["remove"] = value == "on"
        elif value.strip() not in ("", "0"):
            pack["items"][match[3]] = _whole_number(value)
    return [
        {"name_en": pack["name_en"], "name_nl": pack["name_nl"], "items": pack["items"]}
        for _index, pack in sorted(packs.items())
        if not pack["remove"] and (pack["name_en"] or pack["name_nl"] or pack["items"])
    ]


def _pack_values(packs: list[dict]) -> dict:
    values = {}
    for index, pack in enumerate(packs):
        for name in PACK_NAMES:
            values[f"usual_packs.{index}.{name}"] = pack.get(name, "")
        for code, quantity in (pack.get("items") or {}).items():
            values[f"usual_packs.{index}.items.{code}"] = str(quantity)
    return values


def _pack_items(packs: list[dict]) -> list[list[tuple[str, str]]]:
    """For each pack and the empty one after them, (code, label) of the items it may hold:
    the active ones, and retired ones the pack still names (so that they can be taken out)."""
    equipment = service.all_equipment()
    language = current_language()
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


def _typed(form, names) -> MultiDict:
    """What was typed, to show again beside the messages."""
    return MultiDict({name: form.get(name, "") for name in names})


# Sites


@roles_required("admin")
def sites():
    """Every site, active or retired, with its usual packs."""
    return render_template("admin/sites.html", sites=service.all_sites(), kinds=SITE_KINDS)


def _site_form(site=None, values=None, packs=None, errors=None, status=200):
    """The form for a new site (`site` None) or to change one; one empty pack to fill in."""
    if values is None:
        values = (
            {
                "name_en": site.name_en,
                "name_nl": site.name_nl,
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
        "name_en": form.get("name_en", ""),
        "name_nl": form.get("name_nl", ""),
        "kind": form.get("kind", ""),
        "city": form.get("city", ""),
        "active": _checked(form, "active"),
    }


def _refused_site_form(site, form, packs, errors: dict):
    values = {
        name: form.get(name, "")
        for name in ("code", "name_en", "name_nl", "kind", "city", "active")
    }
    return _site_form(site, values, packs, errors, 422)


@roles_required("admin")
def new_site():
    """A new site: its code (fixed from then on), names, kind, city and usual packs."""
    if request.method == "GET":
        return _site_form()
    form = request.form
    packs = packs_from_form(form)
    values = _site_values(form)
    with form_transaction() as work:
        site = service.create_site(
            form.get("code", ""),
            values["name_en"],
            values["name_nl"],
            values["kind"],
            values["city"],
            current_user,
            active=values["active"],
            usual_packs=packs,
        )
    if not work.saved:
        return _refused_site_form(None, form, packs, work.errors)
    flash(_("Site %(code)s is saved. Phones get it at their next sync.", code=site.code), "info")
    return redirect(url_for("admin.sites"))


@roles_required("admin")
def edit_site(code):
    """Change a site's names, kind, city, usual packs, or retire it; its code stays."""
    site = _found(service.find_site(code))
    if request.method == "GET":
        return _site_form(site)
    form = request.form
    packs = packs_from_form(form)
    with form_transaction() as work:
        service.update_site(site, {**_site_values(form), "usual_packs": packs}, current_user)
    if not work.saved:
        return _refused_site_form(_found(service.find_site(code)), form, packs, work.errors)
    flash(_("Site %(code)s is saved. Phones get it at their next sync.", code=site.code), "info")
    return redirect(url_for("admin.sites"))


# Equipment items and referral types: the same three pages for each


@dataclass(frozen=True, eq=False)  # one of each: compared and hashed as itself
class EntryPages:
    """The pages of one kind of catalog entry, equipment items or referral types: the list of
    every entry, active or retired, in the forms' order; a form for a new entry (without a
    position it goes last); and a form to change one, or retire it (its code stays). Both kinds
    have a code, names in English and Dutch, a position and whether they are active; the rest
    is in `fields` and `checkboxes` here, and in the templates (which fill in the blocks of
    admin/catalog_entries.html and admin/catalog_entry_form.html)."""

    path: str  # of the list; the forms are at <path>/new and <path>/<code>/edit
    list_endpoint: str  # also the list's name in the catalog navigation (admin/_catalog.html)
    new_endpoint: str
    edit_endpoint: str
    model: type
    fields: tuple[str, ...]  # typed in, the code first (posted for a new entry only)
    checkboxes: tuple[str, ...]
    new_values: dict[str, str]  # what the form for a new entry starts with, beside its position
    all_entries: Callable[[], list]
    find: Callable[[str], object]
    create: Callable[[dict, object], object]
    update: Callable[[object, dict, object], None]
    list_template: str
    form_template: str
    template_values: dict = field(default_factory=dict)

    def add_routes(self, blueprint: Blueprint) -> None:
        blueprint.add_url_rule(self.path, self.list_endpoint, self.list_page)
        blueprint.add_url_rule(
            f"{self.path}/new", self.new_endpoint, self.new_page, methods=["GET", "POST"]
        )
        blueprint.add_url_rule(
            f"{self.path}/<code>/edit", self.edit_endpoint, self.edit_page, methods=["GET", "POST"]
        )

    @roles_required("admin")
    def list_page(self):
        """Every entry, active or retired, in the forms' order."""
        return render_template(
            self.list_template, entries=self.all_entries(), pages=self, **self.template_values
        )

    @roles_required("admin")
    def new_page(self):
        """A new entry: its code (fixed from then on), names, position and the rest."""
        if request.method == "GET":
            return self._form()
        with form_transaction() as work:
            entry = self.create(self._posted(request.form, new=True), current_user)
        if not work.saved:
            return self._refused(None, work.errors)
        return self._saved(entry)

    @roles_required("admin")
    def edit_page(self, code):
        """Change an entry's names, position and the rest, or retire it; its code stays."""
        entry = _found(self.find(code))
        if request.method == "GET":
            return self._form(entry)
        with form_transaction() as work:
            self.update(entry, self._posted(request.form, new=False), current_user)
        if not work.saved:
            return self._refused(_found(self.find(code)), work.errors)
        return self._saved(entry)

    def _form(self, entry=None, values=None, errors=None, status=200):
        """The form for a new entry (`entry` None) or to change one."""
        if values is None:
            if entry:
                values = {name: getattr(entry, name) for name in self.fields}
                values.update(
                    {name: "on" if getattr(entry, name) else "" for name in self.checkboxes}
                )
            else:
                values = {**self.new_values, "sort_order": service.next_sort_order(self.model)}
        page = render_template(
            self.form_template,
            entry=entry,
            pages=self,
            values=values,
            errors=errors or {},
            **self.template_values,
        )
        return page, status

    def _posted(self, form, new: bool) -> dict:
        """The entry as the form posts it; the code only for a new one (it never changes)."""
        values = {name: form.get(name, "") for name in self.fields if new or name != "code"}
        values["sort_order"] = values["sort_order"].strip() or None
        values.update({name: _checked(form, name) for name in self.checkboxes})
        return values

    def _refused(self, entry, errors: dict):
        """Nothing is saved: the form again, with what was typed and the messages, as 422."""
        typed = _typed(request.form, (*self.fields, *self.checkboxes))
        return self._form(entry, typed, errors, 422)

    def _saved(self, entry):
        """Say the entry is saved, and go back to the list."""
        flash(
            _(
                "%(name)s is saved. Phones get it at their next sync.",
                name=entry.name(current_language()),
            ),
            "info",
        )
        return redirect(url_for(f"admin.{self.list_endpoint}"))


EQUIPMENT = EntryPages(
    path="/equipment",
    list_endpoint="equipment",
    new_endpoint="new_equipment_item",
    edit_endpoint="edit_equipment_item",
    model=EquipmentItem,
    fields=("code", "name_en", "name_nl", "category", "unit_en", "unit_nl", "sort_order"),
    checkboxes=("counts_as_syringe", "active"),
    new_values={"unit_en": "piece", "unit_nl": "stuk", "active": "on"},
    all_entries=service.all_equipment,
    find=service.find_equipment_item,
    create=service.create_equipment_item,
    update=service.update_equipment_item,
    list_template="admin/equipment.html",
    form_template="admin/equipment_form.html",
    template_values={"categories": EQUIPMENT_CATEGORIES},
)

REFERRAL_TYPES = EntryPages(
    path="/referral-types",
    list_endpoint="referral_types",
    new_endpoint="new_referral_type",
    edit_endpoint="edit_referral_type",
    model=ReferralType,
    fields=("code", "name_en", "name_nl", "sort_order"),
    checkboxes=("active",),
    new_values={"active": "on"},
    all_entries=service.all_referral_types,
    find=service.find_referral_type,
    create=service.create_referral_type,
    update=service.update_referral_type,
    list_template="admin/referral_types.html",
    form_template="admin/referral_type_form.html",
)
