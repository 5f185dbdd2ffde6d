"""The contact form on a 360 px phone: fits the screen, big targets, saves with the steppers."""

from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.records.models import Contact
from tests.browser.conftest import wait_until_synced


def test_contact_form_fits_a_phone_and_has_big_targets(signed_in_page, live_server, artifacts):
    page = signed_in_page
    page.goto(f"{live_server}/field/contacts/new")
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
                + ' label.choice, summary')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.name || el.textContent.trim().slice(0, 30),
                          el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 43.5 || box.width < 43.5)
            .map(([name, box]) => `${name}: ${box.width}x${box.height}`)"""
    )
    assert small == []
    page.screenshot(path=str(artifacts / "contact-form-360.png"), full_page=True)


def test_contact_saved_with_steppers_and_a_usual_pack(signed_in_page, live_server, app):
    page = signed_in_page
    page.goto(f"{live_server}/field/contacts/new")
    page.get_by_label("Site").select_option("AMS-OUT1")
    page.get_by_label("Client code").fill("jade-0101-m")
    page.get_by_role("button", name="Usual pack: Injecting pack").click()
    expect(page.get_by_label("Needle", exact=True)).to_have_value("10")
    add_syringe = page.get_by_role("button", name="Add one Syringe 1 ml")
    add_syringe.click()
    page.get_by_role("button", name="Remove one Syringe 1 ml").click()
    page.get_by_role("button", name="Remove one Syringe 1 ml").click()
    expect(page.get_by_label("Syringe 1 ml", exact=True)).to_have_value("9")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Contact saved on this phone.")).to_be_visible()
    wait_until_synced(page, 1)
    # The form is ready for the next contact, at the same site.
    expect(page.get_by_label("Needle", exact=True)).to_have_value("")
    expect(page.get_by_label("Site")).to_have_value("AMS-OUT1")

    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        assert contact.site.code == "AMS-OUT1"
        items = {row.item.code: row.quantity for row in contact.items}
        assert items == {"syringe_1ml": 9, "needle": 10, "swab": 10, "water_ampoule": 2}
        assert contact.client is not None
