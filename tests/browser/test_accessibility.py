"""Every page checked with axe-core against WCAG 2.2 AA, in English and in Dutch: no violation of
impact "serious" or "critical". axe-core comes from npm (`make install-test` puts it under
.cache/axe/); the pages' Content-Security-Policy is bypassed only so the test can inject it."""

import os
from pathlib import Path

import pytest

from outreach.demo.volume import seed_volume
from outreach.extensions import db
from outreach.supplies.vocabulary import MOVEMENT_KINDS
from tests.conftest import PASSWORD
from tests.supplies.storeroom import stock_a_storeroom

AXE = Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"
TABLET = {"width": 1024, "height": 1366}
# The desk pages as a coordinator sees them on a phone and on a laptop (issue 17).
DESK_VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}
DESK_PAGES = ["/reports", "/reports/year", "/admin/sites", "/admin/audit", "/admin/users"]
LOCALES = ["en-GB", "nl-NL"]
FIELD_PAGES = [
    "/field",
    "/field/contacts/new",
    "/field/incidents/new",
    "/field/referrals",
    "/field/stock",
    "/account/password",
]
# On a tablet, the desk pages that DESK_PAGES does not check at a phone's and a laptop's width.
ADMIN_PAGES = [
    "/reports/export",
    "/reports/referrals",
    "/admin/sites/new",
    "/admin/sites/AMS-OUT1/edit",
    "/admin/equipment",
    "/admin/equipment/new",
    "/admin/equipment/foil/edit",
    "/admin/referral-types",
    "/admin/referral-types/new",
    "/admin/referral-types/hcv_test/edit",
    "/admin/settings",
]
SUPPLY_PAGES = [
    "/supplies",
    "/supplies?site=AMS-DCR1",
    *[f"/supplies/new/{kind}?site=AMS-DCR1" for kind in MOVEMENT_KINDS],
    "/supplies/history",
    "/supplies/levels?site=AMS-DCR1",
]
RUN_AXE = """() => axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
}).then((results) => results.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.map((node) => node.target.join(' ')),
})))"""


@pytest.fixture
def _axe_available():
    if AXE.is_file():
        return
    message = (
        f"needs axe-core at {AXE}: npm install --no-save --prefix .cache/axe axe-core@4"
        " (make install-test does it on a new virtualenv)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def axe_problems(page, path):
    """The serious and critical violations on `path`, one line each."""
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    page.wait_for_load_state("networkidle")
    return axe_problems_here(page)


def axe_problems_here(page):
    """The serious and critical violations on the page as it stands, one line each."""
    page.add_script_tag(path=AXE)
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — {', '.join(v['targets'])}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, live_server, username):
    # By id, not by label: the labels are in the page's language.
    page.goto(f"{live_server}/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


@pytest.fixture(params=LOCALES)
def locale(request):
    return request.param


@pytest.fixture
def desk_admin(app, make_user):
    """An admin of no site, over three months of generated records at two sites (so the reports
    have tables to check)."""
    admin = make_user("admin", sites=())
    with app.app_context():
        seed_volume(300, months=3, sites=2)
        db.session.commit()
    return admin


@pytest.mark.usefixtures("_axe_available")
def test_sign_in_page(browser, phone, live_server, locale):
    context = browser.new_context(**phone, locale=locale, bypass_csp=True)
    page = context.new_page()
    problems = axe_problems(page, f"{live_server}/login")
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("_axe_available")
def test_field_pages_on_a_phone(browser, phone, live_server, make_user, locale):
    worker = make_user("worker", sites=("AMS-DCR1", "AMS-OUT1"))
    context = browser.new_context(**phone, locale=locale, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, worker)
    problems = [line for path in FIELD_PAGES for line in axe_problems(page, live_server + path)]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("_axe_available")
def test_reports_and_admin_pages_on_a_tablet(
    browser, browser_context_args, live_server, desk_admin, locale
):
    context = browser.new_context(
        **browser_context_args, viewport=TABLET, locale=locale, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, live_server, desk_admin)
    problems = [line for path in ADMIN_PAGES for line in axe_problems(page, live_server + path)]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("_axe_available")
@pytest.mark.parametrize("viewport", DESK_VIEWPORTS.values(), ids=DESK_VIEWPORTS.keys())
def test_desk_pages_on_a_phone_and_a_laptop(
    browser, browser_context_args, live_server, desk_admin, locale, viewport
):
    context = browser.new_context(
        **browser_context_args, viewport=viewport, locale=locale, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, live_server, desk_admin)
    problems = [line for path in DESK_PAGES for line in axe_problems(page, live_server + path)]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("_axe_available")
def test_supplies_pages_on_a_tablet(
    browser, browser_context_args, live_server, make_user, app, locale, artifacts
):
    admin = make_user("admin", sites=())
    stock_a_storeroom(app, admin)
    context = browser.new_context(
        **browser_context_args, viewport=TABLET, locale=locale, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, live_server, admin)
    problems = [line for path in SUPPLY_PAGES for line in axe_problems(page, live_server + path)]
    # A refused form: its messages beside the fields (the page a POST answered, checked as is).
    page.goto(f"{live_server}/supplies/new/adjustment?site=AMS-DCR1")
    page.locator("#movement-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors").is_visible()
    page.add_script_tag(path=AXE)
    problems += [
        f"refused form [{v['impact']}] {v['id']}: {v['help']} — {', '.join(v['targets'])}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in ("serious", "critical")
    ]
    if locale == "en-GB":  # the README's screenshot (`make screenshots`)
        page.goto(f"{live_server}/supplies?site=AMS-DCR1")
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        page.screenshot(path=artifacts / "supplies.png")
    context.close()
    assert not problems, "\n".join(problems)


def test_contact_form_by_keyboard_and_in_dutch(browser, phone, live_server, make_user, artifacts):
    worker = make_user("worker", sites=("AMS-DCR1", "AMS-OUT1"))
    context = browser.new_context(**phone, locale="nl-NL")
    page = context.new_page()
    sign_in(page, live_server, worker)
    page.goto(f"{live_server}/field/contacts/new")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts / "contact-form-nl.png")

    # Keyboard only: Tab from the top of the page reaches the save button, and whatever has the
    # focus on the way shows it.
    page.keyboard.press("Tab")
    for _ in range(200):
        focused = page.evaluate(
            """() => {
              const el = document.activeElement, style = getComputedStyle(el);
              return {text: el.textContent.trim(), type: el.type || '',
                      outline: style.outlineStyle, shadow: style.boxShadow};
            }"""
        )
        assert focused["outline"] != "none" or focused["shadow"] != "none", focused
        if focused["type"] == "submit" and focused["text"] == "Contact opslaan":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the save button")
    context.close()
