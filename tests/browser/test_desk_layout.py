"""The desk pages' layout as a browser draws it: a laptop's width for reports and admin, a phone's
for the field; tables whose numbers line up, whose codes and header words stay whole, and whose
sideways scroll can be reached by keyboard and is named."""

import re

import pytest

from outreach.demo.volume import seed_volume
from outreach.extensions import db
from tests.browser.conftest import wait_until
from tests.browser.test_accessibility import sign_in

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

# The main column's width in rem (the root font size).
MAIN_WIDTH_REM = """() => document.querySelector('main').getBoundingClientRect().width
  / parseFloat(getComputedStyle(document.documentElement).fontSize)"""

# Every body cell that holds a number (digits, separators, a sign, a percent), with how it is drawn.
NUMBER_CELLS = """() => [...document.querySelectorAll('tbody td')]
  .filter((cell) => /^[\\u2212+-]?[\\d.,\\u00a0\\u202f]*\\d%?$/.test(cell.textContent.trim()))
  .map((cell) => ({text: cell.textContent.trim(), align: getComputedStyle(cell).textAlign,
                   figures: getComputedStyle(cell).fontVariantNumeric}))"""

# How many lines a node's text takes.
LINES = """(element) => { const range = document.createRange(); range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size; }"""

# Every word of every column header that the browser drew over more than one line.
BROKEN_HEADER_WORDS = """() => {
  const broken = [];
  for (const header of document.querySelectorAll('thead th')) {
    const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# Each region that scrolls sideways: whether Tab reaches it, its role and its name.
SCROLL_REGIONS = """() => [...document.querySelectorAll('.table-wrap')].map((wrap) => {
  const names = (wrap.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim() || '');
  return {tabindex: wrap.tabIndex, role: wrap.getAttribute('role'),
          name: names.join(' ').trim() || (wrap.getAttribute('aria-label') || '').trim()};
})"""


@pytest.fixture
def desk(browser, browser_context_args, live_server, make_user, app):
    """`desk(viewport, locale)`: a page signed in as an admin who also works at AMS-DCR1, over
    three months of generated data at two sites."""
    admin = make_user("admin", sites=("AMS-DCR1",))
    with app.app_context():
        seed_volume(300, months=3, sites=2)
        db.session.commit()
    contexts = []

    def open_page(viewport, locale="en-GB"):
        context = browser.new_context(**browser_context_args, viewport=viewport, locale=locale)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, admin)
        page.base = live_server
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_desk_pages_take_a_laptops_width_and_the_field_a_phones(desk, artifacts):
    page = desk(LAPTOP)
    for path in ("/reports", "/admin/sites", "/supplies"):
        page.goto(page.base + path)
        assert page.evaluate(MAIN_WIDTH_REM) > 60, path
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], path
    page.goto(page.base + "/reports")
    page.screenshot(path=artifacts / "dashboard-laptop.png", full_page=True)
    for path in ("/field", "/account/password"):
        page.goto(page.base + path)
        assert page.evaluate(MAIN_WIDTH_REM) <= 44, path


@pytest.mark.parametrize("path", ["/reports", "/admin/equipment", "/supplies?site=AMS-DCR1"])
def test_numbers_are_right_aligned_in_tabular_figures(desk, path):
    page = desk(LAPTOP)
    page.goto(page.base + path)
    cells = page.evaluate(NUMBER_CELLS)
    assert cells, "no number in a table"
    for cell in cells:
        assert cell["align"] == "right", cell
        assert "tabular-nums" in cell["figures"], cell


def test_a_site_code_stays_on_one_line_on_a_phone(desk):
    page = desk(PHONE)
    page.goto(page.base + "/admin/sites")
    codes = page.locator("tbody th.code")
    assert codes.count() >= 3
    for index in range(codes.count()):
        code = codes.nth(index)
        assert re.fullmatch(r"[A-Z]+-[A-Z0-9]+", code.inner_text()), code.inner_text()
        assert code.evaluate(LINES) == 1, code.inner_text()
    page.goto(page.base + "/admin/users")
    for index in range(page.locator("tbody .code").count()):
        assert page.locator("tbody .code").nth(index).evaluate(LINES) == 1


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
@pytest.mark.parametrize("width", [360, 1024])
def test_headers_wrap_between_words_and_compounds_still_fit(desk, locale, width, artifacts):
    page = desk({"width": width, "height": 800}, locale)
    for path in ("/reports", "/admin/sites", "/admin/users", "/supplies?site=AMS-DCR1"):
        page.goto(page.base + path)
        assert page.evaluate(BROKEN_HEADER_WORDS) == [], path
        # Body cells with long compounds wrap inside the page; wide tables scroll in their region.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        header = page.locator("thead th").first
        assert header.evaluate("(th) => getComputedStyle(th).overflowWrap") == "normal"
    if width == 360:
        page.goto(page.base + "/reports")
        page.screenshot(path=artifacts / f"dashboard-phone-{locale}.png", full_page=True)


def test_scroll_regions_are_reached_by_keyboard_named_and_ringed(desk):
    page = desk(PHONE)
    for path in ("/reports", "/admin/sites", "/admin/users", "/admin/audit", "/supplies"):
        page.goto(page.base + path)
        regions = page.evaluate(SCROLL_REGIONS)
        assert regions, path
        for region in regions:
            assert region["tabindex"] == 0, (path, region)
            assert region["role"] == "region", (path, region)
            assert region["name"], (path, region)

    # Tab reaches the sites table's region, which shows the focus ring and scrolls by arrow key.
    page.goto(page.base + "/admin/sites")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("(el) => el.scrollWidth > el.clientWidth")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('table-wrap')"):
            break
    else:
        pytest.fail("Tab never reached the table's region")
    assert wrap.evaluate("(el) => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('.table-wrap').scrollLeft > 0")
