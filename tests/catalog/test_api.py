"""`GET /api/v1/catalog`: what the offline forms need, for the user asking (DESIGN §6)."""

import pytest
from sqlalchemy import select

from outreach.catalog import vocabulary
from outreach.catalog.defaults import DEFAULT_EQUIPMENT, DEFAULT_REFERRAL_TYPES
from outreach.catalog.models import EquipmentItem, Site
from outreach.demo import INJECTING_PACK
from outreach.extensions import db

CATALOG = "/api/v1/catalog"


def catalog(api, **kwargs) -> dict:
    response = api.get(CATALOG, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def codes(entries) -> list[str]:
    return [entry["code"] for entry in entries]


def retire(app, model, code):
    with app.app_context():
        row = db.session.execute(select(model).where(model.code == code)).scalar_one()
        row.active = False
        db.session.commit()


def test_catalog_needs_sign_in(client):
    response = client.get(CATALOG)

    assert response.status_code == 401
    assert response.get_json()["code"] == 401


@pytest.mark.parametrize(
    ("role", "sites", "expected"),
    [
        ("worker", ("AMS-DCR1",), ["AMS-DCR1"]),
        ("worker", ("RTM-NSP1", "AMS-OUT1"), ["AMS-OUT1", "RTM-NSP1"]),
        ("supervisor", ("AMS-DCR1", "AMS-OUT1"), ["AMS-DCR1", "AMS-OUT1"]),
        ("admin", (), ["AMS-DCR1", "AMS-OUT1", "RTM-NSP1"]),
    ],
)
def test_sites_are_those_the_user_may_record_for(login_as, role, sites, expected):
    body = catalog(login_as(role, sites=sites))

    assert codes(body["sites"]) == expected
    dcr = [site for site in body["sites"] if site["code"] == "AMS-DCR1"]
    if dcr:
        assert dcr[0] == {
            "code": "AMS-DCR1",
            "name": "DCR Amsterdam",
            "name_en": "DCR Amsterdam",
            "name_nl": "Gebruiksruimte Amsterdam",
            "kind": "dcr",
            "city": "Amsterdam",
            "usual_packs": [],
        }


def test_sites_carry_their_usual_packs(login_as):
    body = catalog(login_as("worker", sites=("AMS-OUT1",)))

    assert body["sites"][0]["usual_packs"] == [{**INJECTING_PACK, "name": "Injecting pack"}]


def test_site_and_pack_names_follow_the_language_beside_both_names(login_as):
    """`name` is the reader's (what older phones read); `name_en` and `name_nl` are both."""
    api = login_as("worker", sites=("AMS-OUT1",))

    dutch = catalog(api, headers={"Accept-Language": "nl"})["sites"][0]
    english = catalog(api, headers={"Accept-Language": "en"})["sites"][0]

    assert (dutch["name"], english["name"]) == ("Veldwerkteam", "Street team")
    assert dutch["name_en"] == english["name_en"] == "Street team"
    assert dutch["name_nl"] == english["name_nl"] == "Veldwerkteam"
    assert dutch["usual_packs"][0]["name"] == "Injectiepakket"
    assert english["usual_packs"][0]["name"] == "Injecting pack"
    for pack in (dutch["usual_packs"][0], english["usual_packs"][0]):
        assert (pack["name_en"], pack["name_nl"]) == ("Injecting pack", "Injectiepakket")
        assert pack["items"] == INJECTING_PACK["items"]


def test_the_openapi_document_describes_sites_and_packs_in_both_languages(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    assert {"name", "name_en", "name_nl", "usual_packs"} <= set(schemas["SiteOut"]["properties"])
    assert {"name", "name_en", "name_nl", "items"} <= set(schemas["UsualPackOut"]["properties"])


def test_the_openapi_document_describes_units_in_both_languages(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    equipment = schemas["CatalogOut"]["properties"]["equipment"]["items"]
    assert equipment["$ref"].endswith("/EquipmentItemOut")
    unit = schemas["EquipmentItemOut"]["properties"]["unit"]
    assert "`unit_en` or `unit_nl`" in unit["description"]
    assert {"unit_en", "unit_nl", "label", "counts_as_syringe"} <= set(
        schemas["EquipmentItemOut"]["properties"]
    )


@pytest.mark.parametrize("role", ["worker", "admin"])
def test_closed_sites_are_left_out(app, login_as, role):
    api = login_as(role, sites=("AMS-DCR1", "AMS-OUT1"))
    retire(app, Site, "AMS-OUT1")

    assert "AMS-OUT1" not in codes(catalog(api)["sites"])


def test_equipment_in_catalog_order_with_what_counts_as_a_syringe(login_as):
    body = catalog(login_as("worker"))

    assert codes(body["equipment"]) == [row[0] for row in DEFAULT_EQUIPMENT]
    by_code = {item["code"]: item for item in body["equipment"]}
    assert by_code["syringe_1ml"] == {
        "code": "syringe_1ml",
        "label": "Syringe 1 ml",
        "category": "injecting",
        "unit": "piece",
        "unit_en": "piece",
        "unit_nl": "stuk",
        "counts_as_syringe": True,
    }
    assert by_code["naloxone_kit"]["counts_as_syringe"] is False
    assert by_code["foil"]["unit"] == "sheet"


def test_units_in_the_readers_language_beside_both(login_as):
    dutch = catalog(login_as("worker"), headers={"Accept-Language": "nl"})

    units = {item["code"]: item["unit"] for item in dutch["equipment"]}
    assert [units[code] for code in ("syringe_1ml", "foil", "naloxone_kit")] == [
        "stuk",
        "vel",
        "set",
    ]
    assert {item["unit_en"] for item in dutch["equipment"]} == {"piece", "sheet", "kit"}


def test_referral_types(login_as):
    body = catalog(login_as("worker"))

    assert codes(body["referral_types"]) == [row[0] for row in DEFAULT_REFERRAL_TYPES]
    assert {"code": "hcv_test", "label": "HCV test"} in body["referral_types"]


def test_retired_equipment_is_left_out(app, login_as):
    api = login_as("worker")
    retire(app, EquipmentItem, "foil")

    assert "foil" not in codes(catalog(api)["equipment"])


CODE_LISTS = {
    "contact_kinds": vocabulary.CONTACT_KINDS,
    "flags": vocabulary.FLAGS,
    "substances": vocabulary.SUBSTANCES,
    "routes": vocabulary.ROUTES,
    "genders": vocabulary.GENDERS,
    "naloxone_refill_reasons": vocabulary.NALOXONE_REFILL_REASONS,
    "incident_kinds": vocabulary.INCIDENT_KINDS,
    "incident_outcomes": vocabulary.INCIDENT_OUTCOMES,
    "referral_statuses": vocabulary.REFERRAL_STATUSES,
}


def test_code_lists_for_the_forms(login_as):
    body = catalog(login_as("worker"))

    for key, vocabulary_codes in CODE_LISTS.items():
        entries = body[key]
        assert codes(entries) == list(vocabulary_codes), key
        assert all(isinstance(entry["label"], str) and entry["label"] for entry in entries), key


def test_labels_follow_the_language(login_as):
    api = login_as("worker")

    english = catalog(api, headers={"Accept-Language": "en"})
    dutch = catalog(api, headers={"Accept-Language": "nl"})

    assert english["equipment"][0]["label"] == "Syringe 1 ml"
    assert dutch["equipment"][0]["label"] == "Spuit 1 ml"
    assert codes(dutch["equipment"]) == codes(english["equipment"])


def test_version_is_stable_across_calls(login_as):
    worker = login_as("worker")

    first, second = catalog(worker), catalog(worker)

    assert isinstance(first["version"], str) and first["version"]
    assert first["version"] == second["version"]
    assert first == second


def test_version_is_the_same_for_users_who_get_the_same_catalog(login_as):
    assert catalog(login_as("worker"))["version"] == catalog(login_as("worker"))["version"]


def test_version_changes_when_the_catalog_changes(app, login_as):
    """A device compares versions to know when its cached catalog is out of date."""
    api = login_as("worker")
    before = catalog(api)["version"]

    retire(app, EquipmentItem, "foil")

    assert catalog(api)["version"] != before


def test_version_changes_when_a_usual_pack_changes(app, login_as):
    """The contact form's pack buttons come from the catalog too."""
    api = login_as("worker", sites=("AMS-OUT1",))
    before = catalog(api)["version"]

    with app.app_context():
        site = db.session.execute(select(Site).where(Site.code == "AMS-OUT1")).scalar_one()
        site.usual_packs = [{**INJECTING_PACK, "items": {"needle": 20}}]
        db.session.commit()

    assert catalog(api)["version"] != before
