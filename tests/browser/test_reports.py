"""The dashboard and the year page in a real browser: a year of data on a tablet, in print, and
on a laptop, whose screenshots the README shows (`make screenshots` copies them into docs/)."""

import re

import pytest

from outreach.demo.volume import seed_volume
from outreach.extensions import db
from tests.conftest import PASSWORD

TABLET = {"width": 1024, "height": 1366}
LAPTOP = {"width": 1280, "height": 800}


def laptop_screenshot(page, path):
    """The page as a laptop shows it (the README's screenshot): the desk width, no sideways
    scrolling."""
    page.set_viewport_size(LAPTOP)
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    page.screenshot(path=path)


@pytest.fixture
def dashboard(browser, browser_context_args, live_server, make_user, app):
    """An admin's dashboard over a year of generated data at four sites."""
    admin = make_user("admin", sites=())
    with app.app_context():
        seed_volume(4000, months=12, sites=4)
        db.session.commit()
    context = browser.new_context(**browser_context_args, viewport=TABLET)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/reports")
    yield page
    context.close()


def test_dashboard_on_a_tablet_with_a_year_of_data(dashboard, artifacts):
    page = dashboard
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else 0
    )
    page.reload()

    assert page.get_by_role("heading", name="This month").is_visible()
    charts = page.locator(".charts svg")
    assert charts.count() == 6
    # Every chart has a point for each of the 12 months, with something drawn.
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("role") == "img"
        assert chart.get_attribute("aria-label")
        points = chart.locator("polyline").first.get_attribute("points").split()
        assert len(points) == 12
    contacts = [
        float(point.split(",")[1])
        for point in charts.first.locator("polyline").first.get_attribute("points").split()
    ]
    assert len(set(contacts)) > 1  # a line that moves: months with data
    sites = page.locator("section[aria-labelledby=sites-heading] tbody tr")
    assert sites.count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert errors == []

    page.screenshot(path=artifacts / "dashboard.png")
    page.screenshot(path=artifacts / "dashboard-full.png", full_page=True)
    laptop_screenshot(page, artifacts / "dashboard-laptop.png")


def test_dashboard_prints_without_navigation_or_forms(dashboard, artifacts):
    page = dashboard
    page.emulate_media(media="print")

    assert not page.locator(".bar").first.is_visible()
    assert not page.locator("form.no-print, .no-print").first.is_visible()
    assert page.locator(".charts svg").first.is_visible()
    page.screenshot(path=artifacts / "dashboard-print.png", full_page=True)


def test_the_year_page_from_the_dashboard(dashboard, artifacts):
    """The dashboard opens on the last complete month; its link leads to that month's year, with
    the same charts over its 12 months and the table of syringes by outlet type."""
    page = dashboard
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else 0
    )
    page.get_by_role("link", name=re.compile(r"^The year \d{4}$")).click()
    page.wait_for_url(re.compile(r"/reports/year\?year=\d{4}$"))

    assert page.get_by_role("heading", level=1).text_content().startswith("Reports · The year")
    charts = page.locator(".charts svg")
    assert charts.count() == 6
    for index in range(charts.count()):
        points = charts.nth(index).locator("polyline").first.get_attribute("points").split()
        assert len(points) == 12
    contacts = {
        point.split(",")[1]
        for point in charts.first.locator("polyline").first.get_attribute("points").split()
    }
    assert len(contacts) > 1  # a line that moves: months with data
    assert page.locator("section[aria-labelledby=months-heading] tbody tr").count() == 12
    outlets = page.locator("section[aria-labelledby=outlets-heading] tbody tr")
    assert outlets.count() == 4
    # The table of months scrolls inside its own region, named by its caption; the page does not.
    region = page.get_by_role("region", name="Headline figures, month by month, and the year")
    assert region.get_attribute("tabindex") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert errors == []
    page.screenshot(path=artifacts / "year.png")
    page.screenshot(path=artifacts / "year-full.png", full_page=True)
    laptop_screenshot(page, artifacts / "year-laptop.png")
