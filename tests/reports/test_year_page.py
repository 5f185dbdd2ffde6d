"""`/reports/year`: the year at a glance, on the hand-worked data set (2025-09 to 2025-11): who
may see it, bad years, its totals (annual_report's), month by month, syringes by outlet type
(ST10), and the tables' captions and regions, which the month's page shares."""

import pytest
from flask_babel import format_decimal, format_percent
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports.annual import annual_report
from outreach.reports.views import HEADLINES
from tests.field.html import parse
from tests.reports.hand_worked import DCR, NSP, OUT, SITES
from tests.reports.test_pages import headline


def page_of(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return parse(response.get_data(as_text=True))


def written(name: str, value) -> str:
    """A figure as the page writes it in English."""
    return format_percent(value) if name == "return_rate" else format_decimal(value or 0)


def test_a_supervisor_sees_the_year_of_their_sites(dataset, login_as):
    supervisor = login_as("supervisor", sites=[DCR, OUT])
    page = page_of(supervisor, "/reports/year?year=2025")
    assert page.one("h1").text == "Reports · The year 2025"
    assert [box["value"] for box in page.find_all("input", name="site")] == [DCR, OUT]
    sites = page.one("section", aria_labelledby="sites-heading")
    assert [cell.text for cell in sites.find_all("td", **{"class": "code"})] == [DCR, OUT]
    assert headline(page, "contacts") == "10"  # DCR: S1, S4, K1-K3, N1; OUT: K4-K6, N2
    assert supervisor.get(f"/reports/year?year=2025&site={NSP}").status_code == 403


def test_an_admin_sees_every_site(dataset, admin):
    page = page_of(admin, "/reports/year?year=2025")
    assert [box["value"] for box in page.find_all("input", name="site")] == list(SITES)
    assert headline(page, "contacts") == "14"
    page = page_of(admin, f"/reports/year?year=2025&site={NSP}")
    assert headline(page, "contacts") == "4"  # S3, K7, K8, K9


def test_a_worker_is_refused(login_as):
    assert login_as("worker", sites=SITES).get("/reports/year?year=2025").status_code == 403


@pytest.mark.parametrize(
    "query", ["year=abc", "year=1800", "year=2100", "year=2025.5", "year=2025&site=NOPE-1"]
)
def test_a_bad_year_or_site_gets_a_422_page(supervisor, query):
    response = supervisor.get(f"/reports/year?{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_the_years_totals_are_annual_reports(app, dataset, supervisor):
    page = page_of(supervisor, "/reports/year?year=2025")
    with app.test_request_context():
        report = annual_report(2025, list(db.session.execute(select(Site)).scalars()))
        expected = {name: written(name, report.get("2025", name)) for name in HEADLINES}
        outlets = {
            code: (
                written("", report.get("2025", "syringes_distributed_by_outlet", code)),
                written("", report.get("2025", "outlets_active", code)),
            )
            for code in ("specialised", "pharmacy", "vending_machine", "other", "")
        }
    assert {name: headline(page, name) for name in HEADLINES} == expected
    year_row = page.one("tr", data_month="2025")
    assert [cell.text for cell in year_row.find_all("td")] == [expected[n] for n in HEADLINES]
    for code, figures in outlets.items():
        row = page.one("tr", data_outlet=code)
        assert tuple(cell.text for cell in row.find_all("td")) == figures
    # By hand: every site is a specialised programme but the pharmacy RTM-NSP1.
    assert outlets["pharmacy"] == ("60", "1")  # K7's 45 (a 2 ml syringe), K8's 10, S3's 5
    assert outlets[""][0] == expected["syringes_distributed"]


def test_month_by_month(dataset, supervisor):
    page = page_of(supervisor, "/reports/year?year=2025")
    table = page.one("section", aria_labelledby="months-heading")
    rows = table.one("tbody").find_all("tr")
    assert [row.one("th").text for row in rows][:2] == ["January 2025", "February 2025"]
    assert len(rows) == 12
    contacts = {row["data-month"]: row.find_all("td")[0].text for row in rows}
    assert (contacts["2025-09"], contacts["2025-10"], contacts["2025-11"]) == ("3", "9", "2")
    # Unique clients are counted over the year, not summed: the note says so.
    unique = {row["data-month"]: row.find_all("td")[2].text for row in rows}
    assert (unique["2025-09"], unique["2025-10"], unique["2025-11"]) == ("1", "6", "2")
    assert headline(page, "unique_clients") == "6"  # ANNA, BERT, CLEO, DIRK, EVA, NOOR
    assert "not the sum of its months" in page.one("p", id="unique-note").text
    assert len(page.find_all("svg")) == 6


def test_every_table_has_a_caption_that_names_its_region(dataset, supervisor):
    for url in ("/reports/year?year=2025", "/reports?month=2025-10", "/reports/referrals"):
        page = page_of(supervisor, url)
        tables = page.find_all("table")
        assert tables, url
        for table in tables:
            caption = table.one("caption")
            region = table.parent
            assert region["class"] == "table-wrap" and region["role"] == "region"
            assert region["tabindex"] == "0"
            assert region["aria-labelledby"] == caption["id"], url
            assert caption.text
        # Number cells and their column headers are of class "num".
        for cell in page.find_all("td"):
            if cell.text.replace(",", "").replace("%", "").isdigit():
                assert cell.get("class") == "num", (url, cell.text)


def test_the_default_year_is_the_last_complete_one(dataset, supervisor, clock):
    clock("2026-01-10T09:00")
    page = page_of(supervisor, "/reports/year")
    assert page.one("h1").text == "Reports · The year 2025"
    nav = page.one("nav", **{"class": "periods no-print"})
    links = {a.get("rel"): a["href"] for a in nav.find_all("a")}
    assert links["prev"] == "/reports/year?year=2024"
    assert links["next"] == "/reports/year?year=2026"
    assert links[None] == "/reports?month=2025-12"


def test_the_current_year_is_the_year_so_far(dataset, supervisor, clock):
    clock("2025-11-02T13:00")
    page = page_of(supervisor, f"/reports/year?year=2025&site={DCR}")
    assert page.one("h1").text == "Reports · The year 2025 (so far)"
    assert page.one("h2", id="headlines-heading").text == "The year so far"
    nav = page.one("nav", **{"class": "periods no-print"})
    links = {a.get("rel"): a["href"] for a in nav.find_all("a")}
    assert "next" not in links
    assert links[None] == f"/reports?site={DCR}"
    downloads = [a["href"] for a in page.find_all("a") if a.get("download") is not None]
    assert downloads == [
        f"/api/v1/exports/annual.csv?year=2025&site={DCR}",
        f"/api/v1/exports/annual.xlsx?year=2025&site={DCR}",
    ]
    assert (
        supervisor.get(downloads[0])
        .get_data(as_text=True)
        .startswith("year,site,indicator,breakdown,value")
    )


def test_the_dashboard_links_to_its_year(dataset, supervisor):
    page = page_of(supervisor, f"/reports?month=2025-10&site={OUT}")
    links = [a["href"] for a in page.find_all("a")]
    assert f"/reports/year?year=2025&site={OUT}" in links
