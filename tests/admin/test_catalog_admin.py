"""Admins keep the catalog: sites with their usual packs, equipment items and referral types
(tests/admin/test_sites_admin.py, tests/admin/test_catalog_entries_admin.py). Here: only admins
reach its pages, and a change reaches phones with their next sync while records already waiting
in an outbox stay valid."""

import json
import re
import uuid

import pytest

from outreach.catalog.codebook import load_codebook
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from tests.admin.catalog_pages import (
    EQUIPMENT,
    FIELD_PAGES,
    REFERRAL_TYPES,
    SITES,
    audit,
    catalog,
    codes,
    count,
    row,
    saved,
    submit,
)

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
    f"{SITES}/new": {
        "code": "NEW-1",
        "name_en": "New",
        "name_nl": "Nieuw",
        "kind": "dcr",
        "active": "on",
    },
    f"{SITES}/AMS-DCR1/edit": {"name_en": "Taken over", "name_nl": "Overgenomen", "kind": "dcr"},
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

    assert (count(app, Site), row(app, Site, "AMS-DCR1").name_en) == (3, "DCR Amsterdam")
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
