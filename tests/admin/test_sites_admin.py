"""Admins keep the sites at /admin/sites: each with its usual packs, a code fixed once made,
retired rather than deleted; every change is audited and bad input is a form error on its
field."""

import json

import pytest

from outreach.catalog.models import EquipmentItem, Site
from outreach.demo import INJECTING_PACK
from tests.admin.catalog_pages import (
    LONG,
    SITES,
    audit,
    catalog,
    codes,
    count,
    error_on,
    page_form,
    refused,
    row,
    saved,
    set_active,
    submit,
    table,
)
from tests.field.html import parse

SITE_NAMES = {"name_en": "Utrecht NSP", "name_nl": "Spuitomruil Utrecht"}
PACK_NAMES = {"usual_packs.0.name_en": "Pack", "usual_packs.0.name_nl": "Pakket"}


def test_the_sites_page_lists_every_site_with_its_packs_and_status(app, admin_page):
    client, _admin = admin_page
    set_active(app, Site, "RTM-NSP1", False)

    rows = table(client, SITES)

    assert list(rows) == ["AMS-DCR1", "AMS-OUT1", "RTM-NSP1"]
    assert rows["AMS-OUT1"][:6] == [
        "Street team",
        "Veldwerkteam",
        "Street outreach",
        "Amsterdam",
        "Injecting pack",
        "active",
    ]
    assert rows["RTM-NSP1"][5] == "retired"


def test_an_admin_creates_a_site_with_a_usual_pack_and_its_workers_get_it(
    app, admin_page, make_user, login_as
):
    client, admin = admin_page

    response = submit(
        client,
        f"{SITES}/new",
        code=" utr-nsp2 ",
        name_en="Utrecht NSP",
        name_nl="Spuitomruil Utrecht",
        kind="pharmacy",
        city="Utrecht",
        **{
            "usual_packs.0.name_en": "Needle pack",
            "usual_packs.0.name_nl": "Naaldenpakket",
            "usual_packs.0.items.syringe_1ml": "5",
            "usual_packs.0.items.needle": "5",
            "usual_packs.0.items.swab": "0",  # 0 or empty: not in the pack
        },
    )

    saved(response, SITES)
    assert "Site UTR-NSP2 is saved." in client.get(SITES).get_data(as_text=True)
    site = row(app, Site, "UTR-NSP2")
    assert (site.name_en, site.name_nl, site.kind, site.city, site.active) == (
        "Utrecht NSP",
        "Spuitomruil Utrecht",
        "pharmacy",
        "Utrecht",
        True,
    )
    pack = {"name_en": "Needle pack", "name_nl": "Naaldenpakket"}
    assert site.usual_packs == [{**pack, "items": {"syringe_1ml": 5, "needle": 5}}]
    assert audit(app, "site_changed") == [
        (
            admin,
            "site:UTR-NSP2",
            "created: Utrecht NSP / Spuitomruil Utrecht; pharmacy; "
            "usual packs Needle pack / Naaldenpakket (2 items)",
        )
    ]
    worker = login_as("worker", sites=("UTR-NSP2",))
    assert catalog(worker)["sites"] == [
        {
            "code": "UTR-NSP2",
            "name": "Utrecht NSP",
            "name_en": "Utrecht NSP",
            "name_nl": "Spuitomruil Utrecht",
            "kind": "pharmacy",
            "city": "Utrecht",
            "usual_packs": [{**pack, "name": "Needle pack", "items": site.usual_packs[0]["items"]}],
        }
    ]
    form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    button = form.one("button", class_="pack")
    assert button.text == "Usual pack: Needle pack"
    assert json.loads(button["data-pack"]) == {"syringe_1ml": 5, "needle": 5}


def test_an_admin_changes_a_site_and_its_packs_but_never_its_code(app, admin_page):
    client, admin = admin_page
    path = f"{SITES}/AMS-OUT1/edit"
    form = parse(client.get(path).get_data(as_text=True))
    assert form.find("input", name="code") is None
    assert form.one("input", name="name_nl")["value"] == "Veldwerkteam"
    assert form.one("input", name="usual_packs.0.name_en")["value"] == "Injecting pack"
    assert form.one("input", name="usual_packs.0.name_nl")["value"] == "Injectiepakket"
    assert form.one("input", name="usual_packs.0.items.syringe_1ml")["value"] == "10"
    # One empty pack to fill in.
    assert form.one("input", name="usual_packs.1.name_en")["value"] == ""
    assert form.one("input", name="usual_packs.1.name_nl")["value"] == ""

    response = submit(
        client,
        path,
        code="NEW-CODE",  # not on the form: ignored
        name_en="Street team Noord",
        name_nl="Veldwerk Noord",
        city="Amsterdam-Noord",
        **{
            "usual_packs.0.items.syringe_1ml": "20",
            "usual_packs.0.items.water_ampoule": "",
            "usual_packs.1.name_en": "Smoking pack",
            "usual_packs.1.name_nl": "Rookpakket",
            "usual_packs.1.items.foil": "5",
            "usual_packs.1.items.crack_pipe": "1",
        },
    )

    saved(response, SITES)
    site = row(app, Site, "AMS-OUT1")
    assert (site.code, site.name_en, site.name_nl, site.city) == (
        "AMS-OUT1",
        "Street team Noord",
        "Veldwerk Noord",
        "Amsterdam-Noord",
    )
    assert site.usual_packs == [
        {**INJECTING_PACK, "items": {"syringe_1ml": 20, "needle": 10, "swab": 10}},
        {"name_en": "Smoking pack", "name_nl": "Rookpakket", "items": {"foil": 5, "crack_pipe": 1}},
    ]
    assert row(app, Site, "NEW-CODE") is None
    assert audit(app, "site_changed") == [
        (
            admin,
            "site:AMS-OUT1",
            "name_en Street team Noord; name_nl Veldwerk Noord; city Amsterdam-Noord; "
            "usual packs Injecting pack / Injectiepakket (3 items), "
            "Smoking pack / Rookpakket (2 items)",
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

    assert table(client, SITES)["AMS-OUT1"][5] == "retired"
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


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "AMS-DCR1"}, "code", "This site code is taken."),
        ({"code": "ams-dcr1"}, "code", "This site code is taken."),
        ({"code": "A"}, "code", "A site code has 2 to 40 letters"),
        ({"code": "AMS DCR"}, "code", "A site code has 2 to 40 letters"),
        ({"name_en": ""}, "name_en", "A site name has 1 to 120 characters."),
        ({"name_nl": ""}, "name_nl", "A site name has 1 to 120 characters."),
        ({"name_en": LONG}, "name_en", "A site name has 1 to 120 characters."),
        ({"name_nl": LONG}, "name_nl", "A site name has 1 to 120 characters."),
        ({"name_nl": "Bad\x00name"}, "name_nl", "Contains characters that are not allowed."),
        ({"kind": "bar"}, "kind", "Unknown kind of site."),
        ({"city": "y" * 81}, "city", "A city has at most 80 characters."),
        (
            {**PACK_NAMES, "usual_packs.0.items.heroin": "1"},
            "usual_packs.0",
            "Unknown item: heroin.",
        ),
        (PACK_NAMES, "usual_packs.0", "at least one item"),
        (
            {"usual_packs.0.name_nl": "Pakket", "usual_packs.0.items.needle": "4"},
            "usual_packs.0.name_en",
            "A pack name has 1 to 60 characters.",
        ),
        (
            {"usual_packs.0.name_en": "Pack", "usual_packs.0.items.needle": "4"},
            "usual_packs.0.name_nl",
            "A pack name has 1 to 60 characters.",
        ),
        (
            {**PACK_NAMES, "usual_packs.0.name_nl": "p" * 61, "usual_packs.0.items.needle": "4"},
            "usual_packs.0.name_nl",
            "A pack name has 1 to 60 characters.",
        ),
    ],
)
def test_a_bad_new_site_is_a_readable_form_error(app, admin_page, changes, field, message):
    client, _admin = admin_page
    form = {"code": "UTR-NSP2", **SITE_NAMES, "kind": "pharmacy", **changes}

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
            **SITE_NAMES,
            kind="pharmacy",
            **{**PACK_NAMES, field: quantity},
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
            **{
                "usual_packs.1.name_en": "injecting PACK",
                "usual_packs.1.name_nl": "INJECTIEpakket",
                "usual_packs.1.items.needle": "3",
            },
        )
    )

    for name in ("usual_packs.1.name_en", "usual_packs.1.name_nl"):
        assert "Another pack of this site has this name." in error_on(page, name)
    assert row(app, Site, "AMS-OUT1").usual_packs == [INJECTING_PACK]


def test_more_than_ten_packs_are_refused(app, admin_page):
    client, _admin = admin_page
    data = page_form(client, f"{SITES}/AMS-OUT1/edit")
    for index in range(1, 11):
        data[f"usual_packs.{index}.name_en"] = [f"Pack {index}"]
        data[f"usual_packs.{index}.name_nl"] = [f"Pakket {index}"]
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
    data["name_en"] = ["Taken over"]

    response = client.post(f"{SITES}/AMS-DCR1/edit", data=data)

    assert response.status_code == 400
    assert row(app, Site, "AMS-DCR1").name_en == "DCR Amsterdam"
