"""Admins keep the equipment items and referral types at /admin/equipment and
/admin/referral-types: codes fixed once made, retired rather than deleted, every change audited,
bad input a form error on its field, and what they add or change on the phones' forms."""

import pytest

from outreach.catalog import service
from outreach.catalog.models import EquipmentItem, ReferralType
from tests.admin.catalog_pages import (
    EQUIPMENT,
    LONG,
    REFERRAL_TYPES,
    audit,
    catalog,
    codes,
    count,
    error_on,
    refused,
    row,
    saved,
    set_active,
    submit,
    table,
)
from tests.field.html import parse

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


def test_the_equipment_page_shows_each_unit_in_the_readers_language(admin_page):
    client, _admin = admin_page
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"

    rows = table(client, EQUIPMENT)

    assert [rows[code][4] for code in ("syringe_1ml", "foil", "naloxone_kit")] == [
        "stuk",
        "vel",
        "set",
    ]


def test_an_admin_adds_an_item_that_comes_last_on_the_phones(app, admin_page, worker):
    client, admin = admin_page
    form = parse(client.get(f"{EQUIPMENT}/new").get_data(as_text=True))
    assert form.one("input", name="sort_order")["value"] == "12"  # after the 12 defaults
    assert form.one("input", name="unit_en")["value"] == "piece"
    assert form.one("input", name="unit_nl")["value"] == "stuk"

    response = submit(
        client,
        f"{EQUIPMENT}/new",
        code="Test_Strip",
        name_en="Fentanyl test strip",
        name_nl="Fentanyl-teststrip",
        category="other",
        unit_en="strip",
        unit_nl="strip",
    )

    saved(response, EQUIPMENT)
    item = row(app, EquipmentItem, "test_strip")
    assert (item.name_en, item.name_nl, item.category, item.unit_en, item.unit_nl) == (
        "Fentanyl test strip",
        "Fentanyl-teststrip",
        "other",
        "strip",
        "strip",
    )
    assert (item.counts_as_syringe, item.active, item.sort_order) == (False, True, 12)
    assert catalog(worker)["equipment"][-1] == {
        "code": "test_strip",
        "label": "Fentanyl test strip",
        "category": "other",
        "unit": "strip",
        "unit_en": "strip",
        "unit_nl": "strip",
        "counts_as_syringe": False,
    }
    contact_form = parse(worker.get("/field/contacts/new").get_data(as_text=True))
    assert contact_form.find("input", name="item.test_strip") is not None
    assert audit(app, "catalog_changed")[-1] == (
        admin,
        "equipment:test_strip",
        "created: Fentanyl test strip / Fentanyl-teststrip; other; strip / strip",
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
        unit_en="box",
        unit_nl="doos",
        counts_as_syringe=None,
        sort_order="0",
    )

    saved(response, EQUIPMENT)
    item = row(app, EquipmentItem, "syringe_2ml")
    assert (item.name_en, item.name_nl, item.unit_en, item.unit_nl) == (
        "Syringe 2 ml (long)",
        "Spuit 2 ml",
        "box",
        "doos",
    )
    assert (item.counts_as_syringe, item.sort_order) == (False, 0)
    assert row(app, EquipmentItem, "other_code") is None
    assert audit(app, "catalog_changed")[-1] == (
        admin,
        "equipment:syringe_2ml",
        "name_en Syringe 2 ml (long); unit_en box; unit_nl doos; counts_as_syringe no; "
        "sort_order 0",
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
        ({"unit_en": ""}, "unit_en", "A unit has 1 to 20 characters"),
        ({"unit_en": "u" * 21}, "unit_en", "A unit has 1 to 20 characters"),
        ({"unit_nl": " "}, "unit_nl", "A unit has 1 to 20 characters"),
        ({"unit_nl": "u" * 21}, "unit_nl", "A unit has 1 to 20 characters"),
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
        "unit_en": "strip",
        "unit_nl": "strip",
        **changes,
    }

    page = refused(submit(client, f"{EQUIPMENT}/new", **form))

    assert message in error_on(page, field)
    assert page.one(name=field).get("value", "") == form[field] or field == "category"
    assert count(app, EquipmentItem) == 12
    assert audit(app, "catalog_changed")[1:] == []  # [0]: the seeded defaults


def test_a_bad_change_to_an_item_changes_nothing(app, admin_page):
    client, _admin = admin_page

    page = refused(
        submit(
            client, f"{EQUIPMENT}/foil/edit", name_en="", unit_nl="", unit_en="roll", active=None
        )
    )

    assert "A name has 1 to 120 characters." in error_on(page, "name_en")
    assert "A unit has 1 to 20 characters" in error_on(page, "unit_nl")
    foil = row(app, EquipmentItem, "foil")
    assert (foil.name_en, foil.unit_en, foil.unit_nl, foil.active) == ("Foil", "sheet", "vel", True)
    # The form shows what was typed, the box as it was left.
    assert page.one("input", name="unit_en")["value"] == "roll"
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
    referral_type = row(app, ReferralType, "naloxone_training")
    assert (referral_type.name_nl, referral_type.sort_order, referral_type.active) == (
        "Naloxontraining",
        11,
        True,
    )
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
