"""Admins keep the catalog: sites with their usual packs, equipment items and referral types.
Codes are fixed once made, nothing is deleted (retired instead), every change is audited, bad
input is a form error on its field, and a change reaches phones with their next sync while
records already waiting in an outbox stay valid."""

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.catalog import service
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.demo import INJECTING_PACK
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from outreach.records.service import load_codebook
from tests.field.html import form_fields, parse

SITES = "/admin/sites"
EQUIPMENT = "/admin/equipment"
REFERRAL_TYPES = "/admin/referral-types"
FIELD_PAGES = ["/field", "/field/contacts/new", "/field/incidents/new", "/field/referrals"]


@pytest.fixture
def worker(login_as):
    return login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))


def page_form(client, path) -> dict[str, list[str]]:
    """What a browser posts for the form at `path` as it comes, hidden token included."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return form_fields(parse(response.get_data(as_text=True)).one("form", method="post"))


def submit(client, path, **changes):
    """The form at `path` as the page fills it, with `changes` typed in (`None` unticks a box
    or empties a field; names with dots are passed as `**{"a.b": ...}`)."""
    data = page_form(client, path)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [str(value)]
    return client.post(path, data=data)


def saved(response, to):
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"].endswith(to)


def refused(response):
    """The page of a refused form: 422, an alert saying nothing was saved."""
    assert response.status_code == 422, response.status_code
    page = parse(response.get_data(as_text=True))
    assert "Nothing was saved" in page.one(role="alert").text
    return page


def error_on(page, name) -> str:
    """The message tied to the control or fieldset `name` by aria-describedby."""
    control = page.find(name=name)
    if control is not None:
        assert control.get("aria-invalid") == "true", control
    else:  # a pack's own message sits on its fieldset
        error_id = f"{name.replace('.', '-')}-error"
        control = next(
            element
            for element in page.find_all("fieldset")
            if error_id in element.get("aria-describedby", "").split()
        )
    ids = control["aria-describedby"].split()
    return " ".join(page.one(id=element_id).text for element_id in ids)


def audit(app, action=None) -> list[tuple[str, str, str]]:
    """(actor, target, detail) of the audit events, oldest first."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return [
            (event.actor_name, event.target, event.detail)
            for event in db.session.execute(query).scalars()
        ]


def row(app, model, code):
    with app.app_context():
        found = db.session.execute(select(model).where(model.code == code)).scalar_one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def catalog(api) -> dict:
    response = api.get("/api/v1/catalog")
    assert response.status_code == 200
    return response.get_json()


def codes(entries) -> list[str]:
    return [entry["code"] for entry in entries]


def table(client, path) -> dict[str, list[str]]:
    """The list page's rows by their header cell (the code)."""
    page = parse(client.get(path).get_data(as_text=True))
    return {
        tr.find("th").text: [td.text for td in tr.find_all("td")]
        for tr in page.find("tbody").find_all("tr")
    }


def set_active(app, model, code, active):
    with app.app_context():
        db.session.execute(select(model).where(model.code == code)).scalar_one().active = active
        db.session.commit()


# Sites


def test_the_sites_page_lists_every_site_with_its_packs_and_status(app, admin_page):
    client, _admin = admin_page
    set_active(app, Site, "RTM-NSP1", False)

    rows = table(client, SITES)

    assert list(rows) == ["AMS-DCR1", "AMS-OUT1", "RTM-NSP1"]
    assert rows["AMS-OUT1"][:5] == [
        "Street team",
        "Street outreach",
        "Amsterdam",
        "Injecting pack",
        "active",
    ]
    assert rows["RTM-NSP1"][4] == "retired"


def test_an_admin_creates_a_site_with_a_usual_pack_and_its_workers_get_it(
    app, admin_page, make_user, login_as
):
    client, admin = admin_page

    response = submit(
        client,
        f"{SITES}/new",
        code=" utr-nsp2 ",
        name="Utrecht NSP",
        kind="pharmacy",
        city="Utrecht",
        **{
            "usual_packs.0.name": "Needle pack",
            "usual_packs.0.items.syringe_1ml": "5",
            "usual_packs.0.items.needle": "5",
            "usual_packs.0.items.swab": "0",  # 0 or empty: not in the pack
        },
    )

    saved(response, SITES)
    assert "Site UTR-NSP2 is saved." in client.get(SITES).get_data(as_text=True)
    site = row(app, Site, "UTR-NSP2")
    assert (site.name, site.kind, site.city, site.active) == (
        "Utrecht NSP",
        "pharmacy",
        "Utrecht",
        True,
    )
    assert site.usual_packs == [{"name": "Needle pack", "items": {"syringe_1ml": 5, "needle": 5}}]
    assert audit(app, "site_changed") == [
        (
            admin,
            "site:UTR-NSP2",
            "created: Utrecht NSP; pharmacy; usual packs Needle pack (2 items)",
        )
    ]
    worker = login_as("worker", sites=("UTR-NSP2",))
    assert catalog(worker)["sites"] == [
        {
            "code": "UTR-NSP2",
            "name": "Utrecht NSP",
            "kind": "pharmacy",
            "city": "Utrecht",
            "usual_packs": site.usual_packs,
        }
    ]
    form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    pack = form.one("button", class_="pack")
    assert pack.text == "Usual pack: Needle pack"
    assert json.loads(pack["data-pack"]) == {"syringe_1ml": 5, "needle": 5}


def test_an_admin_changes_a_site_and_its_packs_but_never_its_code(app, admin_page):
    client, admin = admin_page
    path = f"{SITES}/AMS-OUT1/edit"
    form = parse(client.get(path).get_data(as_text=True))
    assert form.find("input", name="code") is None
    assert form.one("input", name="usual_packs.0.name")["value"] == "Injecting pack"
    assert form.one("input", name="usual_packs.0.items.syringe_1ml")["value"] == "10"
    # One empty pack to fill in.
    assert form.one("input", name="usual_packs.1.name")["value"] == ""

    response = submit(
        client,
        path,
        code="NEW-CODE",  # not on the form: ignored
        name="Street team Noord",
        city="Amsterdam-Noord",
        **{
            "usual_packs.0.items.syringe_1ml": "20",
            "usual_packs.0.items.water_ampoule": "",
            "usual_packs.1.name": "Smoking pack",
            "usual_packs.1.items.foil": "5",
            "usual_packs.1.items.crack_pipe": "1",
        },
    )

    saved(response, SITES)
    site = row(app, Site, "AMS-OUT1")
    assert (site.code, site.name, site.city) == ("AMS-OUT1", "Street team Noord", "Amsterdam-Noord")
    assert site.usual_packs == [
        {"name": "Injecting pack", "items": {"syringe_1ml": 20, "needle": 10, "swab": 10}},
        {"name": "Smoking pack", "items": {"foil": 5, "crack_pipe": 1}},
    ]
    assert row(app, Site, "NEW-CODE") is None
    assert audit(app, "site_changed") == [
        (
            admin,
            "site:AMS-OUT1",
            "name Street team Noord; city Amsterdam-Noord; "
            "usual packs Injecting pack (3 items), Smoking pack (2 items)",
        )
    ]


def test_a_pack_is_removed_and_saving_unchanged_audits_nothing(app, admin_page):
    client, admin = admin_page
    path = f"{SITES}/AMS-OUT1/edit"

    saved(submit(client, path), SITES)
    assert audit(app, "site_changed") == []

    saved(submit(client, path, **{"usual_packs.0.remove": "on"}), SITES)
    assert row(app, Site, "AMS-OUT1").usual_packs == []
    assert audit(app, "site_changed") == [(admin, "site:AMS-OUT1", "usual packs -")]


def test_retiring_a_site_takes_it_off_the_forms_and_reactivating_brings_it_back(
    app, admin_page, worker
):
    client, _admin = admin_page
    path = f"{SITES}/AMS-OUT1/edit"

    saved(submit(client, path, active=None), SITES)

    assert table(client, SITES)["AMS-OUT1"][4] == "retired"
    assert codes(catalog(worker)["sites"]) == ["AMS-DCR1"]
    contact_form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    assert [
        option["value"] for option in contact_form.one("select", name="site").find_all("option")
    ] == ["AMS-DCR1"]

    saved(submit(client, path, active="on"), SITES)
    assert codes(catalog(worker)["sites"]) == ["AMS-DCR1", "AMS-OUT1"]
    assert [detail for _actor, _target, detail in audit(app, "site_changed")] == [
        "active no",
        "active yes",
    ]


LONG = "x" * 121


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "AMS-DCR1"}, "code", "This site code is taken."),
        ({"code": "ams-dcr1"}, "code", "This site code is taken."),
        ({"code": "A"}, "code", "A site code has 2 to 40 letters"),
        ({"code": "AMS DCR"}, "code", "A site code has 2 to 40 letters"),
        ({"name": ""}, "name", "A site name has 1 to 120 characters."),
        ({"name": LONG}, "name", "A site name has 1 to 120 characters."),
        ({"name": "Bad\x00name"}, "name", "Contains characters that are not allowed."),
        ({"kind": "bar"}, "kind", "Unknown kind of site."),
        ({"city": "y" * 81}, "city", "A city has at most 80 characters."),
        (
            {"usual_packs.0.name": "Pack", "usual_packs.0.items.heroin": "1"},
            "usual_packs.0",
            "Unknown item: heroin.",
        ),
        ({"usual_packs.0.name": "Pack"}, "usual_packs.0", "at least one item"),
        (
            {"usual_packs.0.items.needle": "4"},
            "usual_packs.0.name",
            "A pack name has 1 to 60 characters.",
        ),
        (
            {"usual_packs.0.name": "p" * 61, "usual_packs.0.items.needle": "4"},
            "usual_packs.0.name",
            "A pack name has 1 to 60 characters.",
        ),
    ],
)
def test_a_bad_new_site_is_a_readable_form_error(app, admin_page, changes, field, message):
    client, _admin = admin_page
    form = {"code": "UTR-NSP2", "name": "Utrecht NSP", "kind": "pharmacy", **changes}

    page = refused(submit(client, f"{SITES}/new", **form))

    assert message in error_on(page, field)
    assert count(app, Site) == 3
    assert audit(app, "site_changed") == []


@pytest.mark.parametrize("quantity", ["10001", "-3", "2.5", "ten"])
def test_a_bad_quantity_in_a_pack_is_a_readable_form_error(app, admin_page, quantity):
    client, _admin = admin_page
    field = "usual_packs.0.items.syringe_1ml"

    page = refused(
        submit(
            client,
            f"{SITES}/new",
            code="UTR-NSP2",
            name="Utrecht NSP",
            kind="pharmacy",
            **{"usual_packs.0.name": "Pack", field: quantity},
        )
    )

    assert "A quantity is a whole number from 1 to 10000." in error_on(page, field)
    assert count(app, Site) == 3
    assert audit(app, "site_changed") == []
    # What was typed is shown again, to correct.
    assert page.one("input", name=field)["value"] == quantity


def test_two_packs_of_a_site_need_two_names(app, admin_page):
    client, _admin = admin_page

    page = refused(
        submit(
            client,
            f"{SITES}/AMS-OUT1/edit",
            **{"usual_packs.1.name": "injecting PACK", "usual_packs.1.items.needle": "3"},
        )
    )

    assert "Another pack of this site has this name." in error_on(page, "usual_packs.1.name")
    assert row(app, Site, "AMS-OUT1").usual_packs == [INJECTING_PACK]


def test_more_than_ten_packs_are_refused(app, admin_page):
    client, _admin = admin_page
    data = page_form(client, f"{SITES}/AMS-OUT1/edit")
    for index in range(1, 11):
        data[f"usual_packs.{index}.name"] = [f"Pack {index}"]
        data[f"usual_packs.{index}.items.needle"] = ["1"]

    page = refused(client.post(f"{SITES}/AMS-OUT1/edit", data=data))

    assert "A site has at most 10 usual packs." in page.one(id="usual_packs-error").text
    assert row(app, Site, "AMS-OUT1").usual_packs == [INJECTING_PACK]


def test_a_pack_keeps_a_retired_item_shown_as_retired_until_it_is_taken_out(app, admin_page):
    client, _admin = admin_page
    set_active(app, EquipmentItem, "water_ampoule", False)
    path = f"{SITES}/AMS-OUT1/edit"

    page = parse(client.get(path).get_data(as_text=True))
    # The pack still names it; the empty new pack offers only active items.
    water = page.one("input", name="usual_packs.0.items.water_ampoule")
    assert page.one("label", for_=water["id"]).text == "Water ampoule (retired)"
    assert page.find("input", name="usual_packs.1.items.water_ampoule") is None

    saved(submit(client, path, **{"usual_packs.0.items.water_ampoule": ""}), SITES)
    assert "water_ampoule" not in row(app, Site, "AMS-OUT1").usual_packs[0]["items"]


def test_an_unknown_site_is_404(admin_page):
    client, _admin = admin_page
    assert client.get(f"{SITES}/NOWHERE/edit").status_code == 404


def test_without_the_token_nothing_changes(app, admin_page):
    client, _admin = admin_page
    data = page_form(client, f"{SITES}/AMS-DCR1/edit")
    data.pop("csrf_token")
    data["name"] = ["Taken over"]

    response = client.post(f"{SITES}/AMS-DCR1/edit", data=data)

    assert response.status_code == 400
    assert row(app, Site, "AMS-DCR1").name == "DCR Amsterdam"


CATALOG_PAGES = [
    ("GET", SITES),
    ("GET", f"{SITES}/new"),
    ("POST", f"{SITES}/new"),
    ("GET", f"{SITES}/AMS-DCR1/edit"),
    ("POST", f"{SITES}/AMS-DCR1/edit"),
    ("GET", EQUIPMENT),
    ("GET", f"{EQUIPMENT}/new"),
    ("POST", f"{EQUIPMENT}/new"),
    ("GET", f"{EQUIPMENT}/foil/edit"),
    ("POST", f"{EQUIPMENT}/foil/edit"),
    ("GET", REFERRAL_TYPES),
    ("GET", f"{REFERRAL_TYPES}/new"),
    ("POST", f"{REFERRAL_TYPES}/new"),
    ("GET", f"{REFERRAL_TYPES}/hcv_test/edit"),
    ("POST", f"{REFERRAL_TYPES}/hcv_test/edit"),
]
# Valid for each form: refused for who may not, whatever the form says.
VALID_FORMS = {
    f"{SITES}/new": {"code": "NEW-1", "name": "New", "kind": "dcr", "active": "on"},
    f"{SITES}/AMS-DCR1/edit": {"name": "Taken over", "kind": "dcr"},
    f"{EQUIPMENT}/new": {"code": "new_item", "name_en": "N", "name_nl": "N", "category": "other"},
    f"{EQUIPMENT}/foil/edit": {"name_en": "Taken", "name_nl": "Taken", "category": "other"},
    f"{REFERRAL_TYPES}/new": {"code": "new_type", "name_en": "N", "name_nl": "N"},
    f"{REFERRAL_TYPES}/hcv_test/edit": {"name_en": "Taken", "name_nl": "Taken"},
}


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_only_admins_keep_the_catalog(app, login_as, role):
    caller = login_as(role, sites=("AMS-DCR1",))

    for method, path in CATALOG_PAGES:
        if method == "GET":
            response = caller.get(path)
        else:
            response = caller.client.post(
                path, data={"csrf_token": caller.csrf_token, **VALID_FORMS[path]}
            )
        assert response.status_code == 403, (method, path)

    assert (count(app, Site), row(app, Site, "AMS-DCR1").name) == (3, "DCR Amsterdam")
    assert row(app, EquipmentItem, "foil").name_en == "Foil"
    assert row(app, ReferralType, "hcv_test").name_en == "HCV test"
    assert row(app, EquipmentItem, "new_item") is None
    assert row(app, ReferralType, "new_type") is None
    assert audit(app, "site_changed") + audit(app, "catalog_changed")[1:] == []


def test_nobody_signed_in_is_sent_to_sign_in(client):
    for _method, path in CATALOG_PAGES[:2]:
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# Equipment


def test_the_equipment_page_lists_every_item_in_order(app, admin_page):
    client, _admin = admin_page
    set_active(app, EquipmentItem, "foil", False)

    rows = table(client, EQUIPMENT)

    assert list(rows)[:3] == ["syringe_1ml", "syringe_2ml", "needle"]
    assert rows["syringe_1ml"] == [
        "0",
        "Syringe 1 ml",
        "Spuit 1 ml",
        "Injecting",
        "piece",
        "yes",
        "active",
        "Change",
    ]
    assert rows["foil"][6] == "retired"


def test_an_admin_adds_an_item_that_comes_last_on_the_phones(app, admin_page, worker):
    client, admin = admin_page
    form = parse(client.get(f"{EQUIPMENT}/new").get_data(as_text=True))
    assert form.one("input", name="sort_order")["value"] == "12"  # after the 12 defaults

    response = submit(
        client,
        f"{EQUIPMENT}/new",
        code="Test_Strip",
        name_en="Fentanyl test strip",
        name_nl="Fentanyl-teststrip",
        category="other",
        unit="strip",
    )

    saved(response, EQUIPMENT)
    item = row(app, EquipmentItem, "test_strip")
    assert (item.name_en, item.name_nl, item.category, item.unit) == (
        "Fentanyl test strip",
        "Fentanyl-teststrip",
        "other",
        "strip",
    )
    assert (item.counts_as_syringe, item.active, item.sort_order) == (False, True, 12)
    assert catalog(worker)["equipment"][-1] == {
        "code": "test_strip",
        "label": "Fentanyl test strip",
        "category": "other",
        "unit": "strip",
        "counts_as_syringe": False,
    }
    contact_form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    assert contact_form.find("input", name="item.test_strip") is not None
    assert audit(app, "catalog_changed")[-1] == (
        admin,
        "equipment:test_strip",
        "created: Fentanyl test strip / Fentanyl-teststrip; other; strip",
    )


def test_an_admin_changes_an_item_but_never_its_code(app, admin_page, worker):
    client, admin = admin_page
    path = f"{EQUIPMENT}/syringe_2ml/edit"
    assert parse(client.get(path).get_data(as_text=True)).find("input", name="code") is None

    response = submit(
        client,
        path,
        code="other_code",
        name_en="Syringe 2 ml (long)",
        unit="box",
        counts_as_syringe=None,
        sort_order="0",
    )

    saved(response, EQUIPMENT)
    item = row(app, EquipmentItem, "syringe_2ml")
    assert (item.name_en, item.name_nl, item.unit, item.counts_as_syringe, item.sort_order) == (
        "Syringe 2 ml (long)",
        "Spuit 2 ml",
        "box",
        False,
        0,
    )
    assert row(app, EquipmentItem, "other_code") is None
    assert audit(app, "catalog_changed")[-1] == (
        admin,
        "equipment:syringe_2ml",
        "name_en Syringe 2 ml (long); unit box; counts_as_syringe no; sort_order 0",
    )
    # Position 0 with syringe_1ml: the code decides between them.
    assert codes(catalog(worker)["equipment"])[:2] == ["syringe_1ml", "syringe_2ml"]


def test_retiring_an_item_takes_it_off_the_forms_and_reactivating_brings_it_back(
    app, admin_page, worker
):
    client, _admin = admin_page
    path = f"{EQUIPMENT}/foil/edit"

    saved(submit(client, path, active=None), EQUIPMENT)

    assert "foil" not in codes(catalog(worker)["equipment"])
    contact_form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    assert contact_form.find("input", name="item.foil") is None
    assert table(client, EQUIPMENT)["foil"][6] == "retired"

    saved(submit(client, path, active="on"), EQUIPMENT)
    assert "foil" in codes(catalog(worker)["equipment"])
    assert [detail for *_rest, detail in audit(app, "catalog_changed")][-2:] == [
        "active no",
        "active yes",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "foil"}, "code", "This code is taken."),
        ({"code": "FOIL"}, "code", "This code is taken."),
        ({"code": "1st_item"}, "code", "A code has 2 to 40 small letters"),
        ({"code": "x"}, "code", "A code has 2 to 40 small letters"),
        ({"code": "test-strip"}, "code", "A code has 2 to 40 small letters"),
        ({"code": "t" * 41}, "code", "A code has 2 to 40 small letters"),
        ({"name_en": ""}, "name_en", "A name has 1 to 120 characters."),
        ({"name_nl": LONG}, "name_nl", "A name has 1 to 120 characters."),
        ({"category": "drugs"}, "category", "Choose a category from the list."),
        ({"unit": ""}, "unit", "A unit has 1 to 20 characters"),
        ({"unit": "u" * 21}, "unit", "A unit has 1 to 20 characters"),
        ({"sort_order": "first"}, "sort_order", "A position is a whole number from 0 to 9999."),
        ({"sort_order": "-1"}, "sort_order", "A position is a whole number from 0 to 9999."),
        ({"sort_order": "10000"}, "sort_order", "A position is a whole number from 0 to 9999."),
    ],
)
def test_a_bad_new_item_is_a_readable_form_error(app, admin_page, changes, field, message):
    client, _admin = admin_page
    form = {
        "code": "test_strip",
        "name_en": "Test strip",
        "name_nl": "Teststrip",
        "category": "other",
        **changes,
    }

    page = refused(submit(client, f"{EQUIPMENT}/new", **form))

    assert message in error_on(page, field)
    assert page.one(name=field).get("value", "") == form[field] or field == "category"
    assert count(app, EquipmentItem) == 12
    assert audit(app, "catalog_changed")[1:] == []  # [0]: the seeded defaults


def test_a_bad_change_to_an_item_changes_nothing(app, admin_page):
    client, _admin = admin_page

    page = refused(submit(client, f"{EQUIPMENT}/foil/edit", name_en="", unit="roll", active=None))

    assert "A name has 1 to 120 characters." in error_on(page, "name_en")
    foil = row(app, EquipmentItem, "foil")
    assert (foil.name_en, foil.unit, foil.active) == ("Foil", "sheet", True)
    # The form shows what was typed, the box as it was left.
    assert page.one("input", name="unit")["value"] == "roll"
    assert "checked" not in page.one("input", name="active").attrs


def test_two_admins_taking_one_code_at_once_get_a_form_error(app, admin_page, monkeypatch):
    """The unique constraint decides, not the look-up before it."""
    client, _admin = admin_page
    monkeypatch.setattr(service, "find_equipment_item", lambda code: None)

    page = refused(
        submit(
            client,
            f"{EQUIPMENT}/new",
            code="foil",
            name_en="Foil again",
            name_nl="Folie",
            category="smoking",
        )
    )

    assert "This code is taken." in error_on(page, "code")
    assert row(app, EquipmentItem, "foil").name_en == "Foil"
    assert audit(app, "catalog_changed")[1:] == []


def test_an_unknown_item_is_404(admin_page):
    client, _admin = admin_page
    assert client.get(f"{EQUIPMENT}/nothing/edit").status_code == 404


# Referral types


def test_an_admin_adds_changes_and_retires_a_referral_type(app, admin_page, worker):
    client, admin = admin_page

    saved(
        submit(
            client,
            f"{REFERRAL_TYPES}/new",
            code="naloxone_training",
            name_en="Naloxone training",
            name_nl="Naloxontraining",
            sort_order="",
        ),
        REFERRAL_TYPES,
    )
    kind = row(app, ReferralType, "naloxone_training")
    assert (kind.name_nl, kind.sort_order, kind.active) == ("Naloxontraining", 11, True)
    assert {"code": "naloxone_training", "label": "Naloxone training"} in catalog(worker)[
        "referral_types"
    ]
    assert "referral.naloxone_training" in worker.get("/field/contacts/new").get_data(as_text=True)

    path = f"{REFERRAL_TYPES}/naloxone_training/edit"
    saved(submit(client, path, name_en="Naloxone course", sort_order="0"), REFERRAL_TYPES)
    assert codes(catalog(worker)["referral_types"])[:2] == ["hbv_test", "naloxone_training"]

    saved(submit(client, path, active=None), REFERRAL_TYPES)
    assert "naloxone_training" not in codes(catalog(worker)["referral_types"])
    assert table(client, REFERRAL_TYPES)["naloxone_training"][3] == "retired"

    assert audit(app, "catalog_changed")[1:] == [
        (admin, "referral_type:naloxone_training", "created: Naloxone training / Naloxontraining"),
        (admin, "referral_type:naloxone_training", "name_en Naloxone course; sort_order 0"),
        (admin, "referral_type:naloxone_training", "active no"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "hcv_test"}, "code", "This code is taken."),
        ({"code": "HCV_TEST"}, "code", "This code is taken."),
        ({"code": "hcv test"}, "code", "A code has 2 to 40 small letters"),
        ({"name_nl": ""}, "name_nl", "A name has 1 to 120 characters."),
        ({"name_en": LONG}, "name_en", "A name has 1 to 120 characters."),
        ({"sort_order": "1e3"}, "sort_order", "A position is a whole number from 0 to 9999."),
    ],
)
def test_a_bad_new_referral_type_is_a_readable_form_error(app, admin_page, changes, field, message):
    client, _admin = admin_page
    form = {"code": "peer_support", "name_en": "Peer support", "name_nl": "Lotgenoten", **changes}

    page = refused(submit(client, f"{REFERRAL_TYPES}/new", **form))

    assert message in error_on(page, field)
    assert count(app, ReferralType) == 11


def test_an_unknown_referral_type_is_404(admin_page):
    client, _admin = admin_page
    assert client.post(f"{REFERRAL_TYPES}/nothing/edit").status_code in (400, 404)
    assert client.get(f"{REFERRAL_TYPES}/nothing/edit").status_code == 404


# Phones: the catalog version, and records already in an outbox


def page_catalog_version(html: str) -> str:
    found = re.search(r'<script type="application/json" id="js-catalog">(.*?)</script>', html)
    assert found, "the page carries no catalog version"
    return json.loads(found.group(1))["version"]


def test_every_sync_run_learns_the_catalog_version_the_field_pages_carry(worker):
    """Each sync run starts with GET /api/v1/me (for a fresh token): it says which catalog the
    server has, and each field page which one it was made with."""
    version = worker.get("/api/v1/me").get_json()["catalog_version"]

    assert version == catalog(worker)["version"]
    for path in FIELD_PAGES:
        assert page_catalog_version(worker.get(path).get_data(as_text=True)) == version, path
    dutch = worker.get("/api/v1/me", headers={"Accept-Language": "nl"}).get_json()
    assert dutch["catalog_version"] != version  # the pages are in another language


def test_an_admin_change_is_a_new_version_for_the_phones_it_concerns(
    app, admin_page, worker, login_as
):
    client, _admin = admin_page
    elsewhere = login_as("worker", sites=("RTM-NSP1",))

    def versions():
        return [
            phone.get("/api/v1/me").get_json()["catalog_version"] for phone in (worker, elsewhere)
        ]

    kept_form = worker.get("/field/contacts/new").get_data(as_text=True)
    before = versions()

    # A usual pack of AMS-OUT1: only its workers' forms change.
    saved(submit(client, f"{SITES}/AMS-OUT1/edit", **{"usual_packs.0.items.needle": "12"}), SITES)
    after_pack = versions()
    assert after_pack[0] != before[0]
    assert after_pack[1] == before[1]

    # A new item changes every phone's forms.
    saved(
        submit(
            client,
            f"{EQUIPMENT}/new",
            code="test_strip",
            name_en="Test strip",
            name_nl="Teststrip",
            category="other",
        ),
        EQUIPMENT,
    )
    after_item = versions()
    assert after_item[0] != after_pack[0]
    assert after_item[1] != after_pack[1]

    # The form kept on the phone is out of date; fetched again, it is current.
    assert page_catalog_version(kept_form) == before[0]
    fresh_form = worker.get("/field/contacts/new").get_data(as_text=True)
    assert page_catalog_version(fresh_form) == after_item[0]
    assert 'name="item.test_strip"' in fresh_form
    assert 'name="item.test_strip"' not in kept_form

    # Saving a form unchanged changes nothing phones must fetch.
    saved(submit(client, f"{EQUIPMENT}/foil/edit"), EQUIPMENT)
    assert versions() == after_item


def test_the_service_worker_fetches_the_kept_pages_again_for_a_new_catalog(client):
    """The contract between static/js/catalog.js and /sw.js: the page posts
    {type: 'catalog-version', version} with a port, the worker answers on it."""
    worker_source = client.get("/sw.js").get_data(as_text=True)
    page_source = client.get("/static/js/catalog.js").get_data(as_text=True)

    assert "type === 'catalog-version'" in worker_source
    assert "port.postMessage(outcome)" in worker_source
    assert "{ type: 'catalog-version', version }" in page_source
    assert "catalog.follow(sync" in client.get("/static/js/field.js").get_data(as_text=True)
    assert "catalog_version" in client.get("/static/js/sync.js").get_data(as_text=True)


def test_records_in_an_outbox_naming_retired_entries_are_still_stored(
    app, admin_page, worker, make_contact, make_incident
):
    """A phone made these before the admin retired what they name; it sends them afterwards."""
    client, _admin = admin_page
    contact = make_contact(
        site="AMS-OUT1",
        items=[{"code": "foil", "quantity": 5}, {"code": "syringe_1ml", "quantity": 2}],
        referrals=[{"id": str(uuid.uuid4()), "type": "hcv_test", "referred_to": "GGD"}],
    )
    incident = make_incident(site="AMS-OUT1")
    saved(submit(client, f"{EQUIPMENT}/foil/edit", active=None), EQUIPMENT)
    saved(submit(client, f"{REFERRAL_TYPES}/hcv_test/edit", active=None), REFERRAL_TYPES)
    saved(submit(client, f"{SITES}/AMS-OUT1/edit", active=None), SITES)
    assert codes(catalog(worker)["sites"]) == ["AMS-DCR1"]

    response = worker.sync(contacts=[contact], incidents=[incident])

    assert response.status_code == 200
    assert [result["status"] for result in response.get_json()["results"]] == [
        "created",
        "created",
    ]
    with app.app_context():
        stored = db.session.get(Contact, uuid.UUID(contact["id"]))
        assert stored.site.code == "AMS-OUT1"
        assert {line.item.code: line.quantity for line in stored.items} == {
            "foil": 5,
            "syringe_1ml": 2,
        }
        assert [referral.type.code for referral in stored.referrals] == ["hcv_test"]
        assert db.session.get(Incident, uuid.UUID(incident["id"])).site.code == "AMS-OUT1"
        codebook = load_codebook()
        assert "foil" in codebook.equipment
        assert "hcv_test" in codebook.referral_types
        assert "AMS-OUT1" in codebook.sites
    # Sent again (the answer was lost): still the same records.
    again = worker.sync(contacts=[contact], incidents=[incident]).get_json()["results"]
    assert [result["status"] for result in again] == ["duplicate", "duplicate"]
