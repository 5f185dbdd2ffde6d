"""Catalog changes as a phone lives them: the kept pages follow the next sync (also for use
offline afterwards), a half-filled form is never reloaded away, and a record waiting in the
outbox is stored even when what it names was retired meanwhile. And the admin's catalog pages
with their errors, checked with axe-core, with big enough targets on a phone."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.service import create_equipment_item
from outreach.extensions import db
from outreach.records.models import Contact
from tests.browser.conftest import (
    outbox_entries,
    wait_for_control,
    wait_until,
    wait_until_synced,
)
from tests.browser.test_accessibility import AXE, RUN_AXE, TABLET, sign_in

CONTACT_FORM = "/field/contacts/new"
SYNC_URL = "**/api/v1/sync"
SYNC_NOW = "async () => (await import('/static/js/sync.js')).syncNow()"
# The same, not waited for: the page may reload before the run's promise would come back.
START_SYNC = "() => { import('/static/js/sync.js').then((sync) => sync.syncNow()); }"
KEPT_VERSION = (
    "async () => { const r = await caches.match('/sw/catalog-version');"
    " return r ? r.text() : null; }"
)
WAITING_MESSAGE = "The lists of sites, equipment or referrals have changed."


def kept_page_has(path, text):
    return (
        f"async () => {{ const r = await caches.match({path!r});"
        f" return Boolean(r) && (await r.text()).includes({text!r}); }}"
    )


def add_test_strip(app):
    """What an admin does on /admin/equipment/new, straight through the service."""
    with app.app_context():
        create_equipment_item(
            {
                "code": "test_strip",
                "name_en": "Test strip",
                "name_nl": "Teststrip",
                "category": "other",
                "unit_en": "strip",
                "unit_nl": "strip",
            },
            None,
        )
        db.session.commit()


def retire(app, model, code):
    with app.app_context():
        db.session.execute(select(model).where(model.code == code)).scalar_one().active = False
        db.session.commit()


def wait_for_render(page):
    expect(page.get_by_role("status")).to_have_attribute("data-state", "ok")


def ready(page):
    """The page is controlled by the service worker, which keeps the field pages with the
    version of the catalog they were made with."""
    wait_for_control(page)
    wait_until(page, KEPT_VERSION, timeout=10)


def test_a_catalog_change_reaches_the_kept_pages_with_the_next_sync(
    signed_in_page, live_server, app
):
    page = signed_in_page  # on /field, online
    ready(page)
    before = page.evaluate(KEPT_VERSION)

    add_test_strip(app)
    page.evaluate(SYNC_NOW)

    # The worker fetched the kept pages again, the contact form among them, and noted the
    # version they were made with: the server's.
    me = page.evaluate("async () => (await fetch('/api/v1/me')).json()")
    assert me["catalog_version"] != before
    wait_until(
        page, f"async () => (await ({KEPT_VERSION})()) === {me['catalog_version']!r}", timeout=10
    )
    assert page.evaluate(kept_page_has(CONTACT_FORM, 'name="item.test_strip"'))

    # Later, without signal, the form from the phone has the new item.
    page.context.set_offline(True)
    response = page.goto(f"{live_server}{CONTACT_FORM}")
    assert response.from_service_worker
    expect(page.get_by_role("button", name="Add one Test strip")).to_be_visible()
    page.context.set_offline(False)


def test_a_half_filled_form_is_kept_and_shows_the_new_catalog_once_saved(
    signed_in_page, live_server, app
):
    page = signed_in_page
    page.goto(f"{live_server}{CONTACT_FORM}")
    ready(page)
    wait_for_render(page)
    client_code = page.get_by_label("Client code")
    client_code.fill("AB12CD")
    page.get_by_role("button", name="Add one Needle").click()
    page.evaluate("window.__sameDocument = true")

    add_test_strip(app)
    page.evaluate(SYNC_NOW)

    # What was typed stays: no reload, a word about the new lists.
    expect(page.get_by_text(WAITING_MESSAGE)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    expect(client_code).to_have_value("AB12CD")
    expect(page.get_by_role("button", name="Add one Test strip")).to_have_count(0)

    # Saved, the record syncs and the clean form comes back with the new item, still saying
    # the record was saved.
    with page.expect_navigation():
        page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("button", name="Add one Test strip")).to_be_visible()
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    wait_until_synced(page, 1)
    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        assert {line.item.code: line.quantity for line in contact.items} == {"needle": 1}


def test_a_clean_form_reloads_with_the_new_catalog_once(signed_in_page, live_server, app):
    page = signed_in_page
    page.goto(f"{live_server}{CONTACT_FORM}")
    ready(page)
    wait_for_render(page)

    add_test_strip(app)
    with page.expect_navigation():
        page.evaluate(START_SYNC)

    expect(page.get_by_role("button", name="Add one Test strip")).to_be_visible()
    expect(page.get_by_text("The form now shows the latest lists")).to_be_visible()
    # The next runs find the page current: no more reloads.
    page.evaluate("window.__sameDocument = true")
    page.evaluate(SYNC_NOW)
    page.evaluate(SYNC_NOW)
    assert page.evaluate("window.__sameDocument") is True


def test_a_waiting_record_naming_what_was_retired_is_stored(signed_in_page, live_server, app):
    page = signed_in_page
    page.goto(f"{live_server}{CONTACT_FORM}")
    ready(page)
    wait_for_render(page)
    page.route(SYNC_URL, lambda route: route.abort())
    page.get_by_label("Site").select_option("AMS-OUT1")
    page.get_by_role("button", name="Add one Foil").click()
    page.get_by_role("button", name="Add one Foil").click()
    page.locator("summary", has_text="Referrals").click()
    page.get_by_label("HCV test").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("1 waiting to sync")

    # Meanwhile the admin retires the item, the referral type and the site.
    retire(app, EquipmentItem, "foil")
    retire(app, ReferralType, "hcv_test")
    retire(app, Site, "AMS-OUT1")

    page.unroute(SYNC_URL)
    page.evaluate(START_SYNC)  # or the retry timer does it

    # Once the record is stored, the form (clean after the save) reloads without what was
    # retired; the record is no longer waiting.
    expect(page.get_by_role("button", name="Add one Foil")).to_have_count(0, timeout=20_000)
    expect(page.get_by_label("Site").locator("option")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("All synced")
    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        assert contact.site.code == "AMS-OUT1"
        assert {line.item.code: line.quantity for line in contact.items} == {"foil": 2}
        assert [referral.type.code for referral in contact.referrals] == ["hcv_test"]
    assert [entry["state"] for entry in outbox_entries(page)] == ["synced"]


# The admin's pages


@pytest.fixture
def admin_on(browser, browser_context_args, live_server, make_user):
    """`admin_on(viewport, **context)`: a page signed in as an admin."""
    contexts = []

    def open_page(viewport, **options):
        context = browser.new_context(**browser_context_args, viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, make_user("admin", sites=()))
        return page

    yield open_page
    for context in contexts:
        context.close()


def serious_axe_problems(page):
    page.add_script_tag(path=AXE)
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — {', '.join(v['targets'])}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
def test_catalog_forms_with_their_errors_pass_axe(admin_on, live_server, locale):
    if not AXE.is_file():
        pytest.skip(f"needs axe-core at {AXE}")
    page = admin_on(TABLET, locale=locale, bypass_csp=True)
    problems = []
    for path, field in [
        ("/admin/sites/new", "#f-name_nl"),
        ("/admin/sites/AMS-OUT1/edit", "#f-usual_packs-0-items-needle"),
        ("/admin/equipment/new", "#f-name_en"),
        ("/admin/referral-types/new", "#f-name_en"),
    ]:
        page.goto(f"{live_server}{path}")
        page.locator(field).fill("10001" if "usual_packs" in field else "")
        page.locator("form button[type=submit]").click()
        expect(page.locator("#form-errors")).to_be_visible()
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
        problems += serious_axe_problems(page)
    assert not problems, "\n".join(problems)


def test_catalog_pages_have_big_targets_on_a_phone(admin_on, live_server, artifacts):
    page = admin_on({"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    small = []
    for path in [
        "/admin/sites",
        "/admin/sites/AMS-OUT1/edit",
        "/admin/equipment",
        "/admin/equipment/foil/edit",
        "/admin/referral-types/hcv_test/edit",
    ]:
        page.goto(f"{live_server}{path}")
        small += page.evaluate(
            """() => [...document.querySelectorAll(
                    'main a, main button, main select, main label.choice,'
                    + ' main input:not([type=hidden]):not([type=checkbox])')]
                .filter((el) => el.offsetParent !== null)
                .map((el) => [el.name || el.textContent.trim().slice(0, 30),
                              el.getBoundingClientRect()])
                .filter(([, box]) => box.height < 43.5 || box.width < 43.5)
                .map(([name, box]) => `${location.pathname} ${name}: ${box.width}x${box.height}`)"""
        )
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ) or path in ("/admin/sites", "/admin/equipment"), path  # wide tables scroll inside
    page.goto(f"{live_server}/admin/sites/AMS-OUT1/edit")
    page.screenshot(path=str(artifacts / "admin-site-form-360.png"), full_page=True)
    assert small == []


def test_an_admin_adds_an_item_from_the_page(admin_on, live_server, app):
    page = admin_on({"width": 1024, "height": 900})
    page.goto(f"{live_server}/admin/equipment")
    page.get_by_role("link", name="New item").click()
    page.get_by_label("Code").fill("test_strip")
    page.get_by_label("Name in English").fill("Fentanyl test strip")
    page.get_by_label("Name in Dutch").fill("Fentanyl-teststrip")
    page.get_by_label("Category").select_option("other")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Fentanyl test strip is saved.")).to_be_visible()
    expect(page.get_by_role("row", name="test_strip")).to_contain_text("active")
    with app.app_context():
        item = db.session.execute(
            select(EquipmentItem).where(EquipmentItem.code == "test_strip")
        ).scalar_one()
        assert (item.name_nl, item.category, item.active) == ("Fentanyl-teststrip", "other", True)
