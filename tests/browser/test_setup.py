"""A new organisation set up from an empty database through the pages alone: the first admin
at /setup, the settings, equipment, a referral type, a site with a usual pack, a worker and a
supervisor; then the worker logs a contact on a phone with that catalog, and the supervisor
sees it in the month's report."""

from playwright.sync_api import expect
from sqlalchemy import delete, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.settings import Setting
from outreach.timekeeping import month_of
from tests.browser.conftest import wait_until_synced
from tests.browser.test_accessibility import TABLET

ADMIN_PASSWORD = "our very first admin passphrase"
STAFF_PASSWORD = "a long street team passphrase"


def empty_database(app):
    """No users, sites, catalog or settings: what `flask db upgrade` leaves."""
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


def save(page):
    page.locator("form button[type=submit].primary").click()


def add_equipment(page, base, code, name_en, name_nl, category, syringe=False):
    page.goto(f"{base}/admin/equipment/new")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Name in English").fill(name_en)
    page.get_by_label("Name in Dutch").fill(name_nl)
    page.get_by_label("Category").select_option(category)
    if syringe:
        page.get_by_label("Counts as a syringe").check()
    save(page)
    expect(page.get_by_text(f"{name_en} is saved.")).to_be_visible()


def add_user(page, base, username, role, site_code):
    page.goto(f"{base}/admin/users/new")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Role").select_option(role)
    page.locator(f"input[name=sites][value={site_code}]").check()
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    save(page)
    expect(page.get_by_role("rowheader", name=username, exact=True)).to_be_visible()


def sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def test_an_organisation_is_set_up_through_the_pages(app, browser, phone, live_server, artifacts):
    empty_database(app)
    base = live_server
    desk = browser.new_context(viewport=TABLET, locale="en-GB")
    page = desk.new_page()

    # The first administrator.
    page.goto(base)
    expect(page.get_by_text("This database has no users yet.")).to_be_visible()
    page.get_by_role("link", name="Set up Outreach").click()
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Password again").fill(ADMIN_PASSWORD)
    save(page)
    page.wait_for_url(f"{base}/admin/sites")

    # The organisation's settings.
    page.goto(f"{base}/admin/settings")
    page.get_by_label("Time zone").select_option("Europe/Amsterdam")
    page.get_by_label("Suppression threshold").fill("5")
    page.get_by_label("Retention (months)").fill("36")
    page.get_by_label("Default language").select_option("nl")
    save(page)
    expect(page.get_by_text("The settings are saved")).to_be_visible()

    # The catalog: equipment and a referral type.
    add_equipment(page, base, "syringe_1ml", "Syringe 1 ml", "Spuit 1 ml", "injecting", True)
    add_equipment(page, base, "foil", "Foil", "Folie", "smoking")
    page.goto(f"{base}/admin/referral-types/new")
    page.get_by_label("Code", exact=True).fill("hcv_test")
    page.get_by_label("Name in English").fill("HCV test")
    page.get_by_label("Name in Dutch").fill("HCV-test")
    save(page)
    expect(page.get_by_text("HCV test is saved.")).to_be_visible()

    # A site with a usual pack.
    page.goto(f"{base}/admin/sites/new")
    page.get_by_label("Code", exact=True).fill("UTR-DCR1")
    page.get_by_label("Name in English", exact=True).fill("DCR Utrecht")
    page.get_by_label("Name in Dutch", exact=True).fill("Gebruiksruimte Utrecht")
    page.get_by_label("Kind of site").select_option("dcr")
    page.get_by_label("City").fill("Utrecht")
    page.get_by_label("Name of the pack in English").fill("Injecting pack")
    page.get_by_label("Name of the pack in Dutch").fill("Injectiepakket")
    page.get_by_label("Syringe 1 ml").fill("10")
    save(page)
    expect(page.get_by_text("Site UTR-DCR1 is saved.")).to_be_visible()

    # The team.
    add_user(page, base, "pieter", "worker", "UTR-DCR1")
    add_user(page, base, "sanne", "supervisor", "UTR-DCR1")
    page.screenshot(path=str(artifacts / "setup-users.png"), full_page=True)
    desk.close()

    with app.app_context():
        users = {u.username: u.role for u in db.session.execute(select(User)).scalars()}
        settings = {s.key: s.value for s in db.session.execute(select(Setting)).scalars()}
    assert users == {"coordinator": "admin", "pieter": "worker", "sanne": "supervisor"}
    assert settings["default_language"] == "nl"

    # The worker's phone asks for no language of ours: the organisation's default, Dutch.
    street = browser.new_context(**phone, locale="fr-FR")
    page = street.new_page()
    sign_in(page, base, "pieter", STAFF_PASSWORD)
    page.goto(f"{base}/field/contacts/new")
    expect(page.get_by_label("Locatie")).to_have_value("UTR-DCR1")
    page.get_by_role("button", name="Vast pakket: Injectiepakket").click()
    expect(page.get_by_label("Spuit 1 ml", exact=True)).to_have_value("10")
    page.locator("summary", has_text="Doorverwijzingen").click()
    page.get_by_label("HCV-test").check()
    page.get_by_role("button", name="Contact opslaan").click()
    wait_until_synced(page, 1, says="Alles gesynchroniseerd")
    street.close()

    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        assert contact.site.code == "UTR-DCR1"
        assert {row.item.code: row.quantity for row in contact.items} == {"syringe_1ml": 10}
        assert [referral.type.code for referral in contact.referrals] == ["hcv_test"]
        month = month_of(contact.occurred_at)

    # The supervisor sees it in this month's report (the dashboard opens on the month before).
    desk = browser.new_context(viewport=TABLET, locale="en-GB")
    page = desk.new_page()
    sign_in(page, base, "sanne", STAFF_PASSWORD)
    page.goto(f"{base}/reports?month={month}")
    site_row = page.get_by_role("row").filter(has_text="DCR Utrecht")
    expect(site_row.get_by_role("cell")).to_have_text(
        ["UTR-DCR1", "1", "1", "0", "10", "0", "1", "0"]
    )
    desk.close()
