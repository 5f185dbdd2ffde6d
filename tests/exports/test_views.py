"""`/reports/export`, the export form: it offers the supervisor's own sites and sends the
files the API sends."""

from tests.conftest import local_now
from tests.exports.test_api import OCTOBER_ONLY, csv_cells
from tests.field.html import parse
from tests.reports.hand_worked import ALL, DCR, NSP, OUT


def test_the_export_page_sends_the_apis_numbers(dataset, supervisor):
    for suppress in ("false", "true"):
        # Each download is read whole before the next request, as a browser would.
        api = supervisor.get(f"/api/v1/exports/monthly.csv?{OCTOBER_ONLY}&suppress={suppress}")
        api_text = api.get_data(as_text=True)
        page = supervisor.get(f"/reports/export?format=csv&{OCTOBER_ONLY}&suppress={suppress}")
        assert page.status_code == 200
        assert page.get_data(as_text=True) == api_text
    # An unticked box sends nothing: not suppressed.
    page = supervisor.get(f"/reports/export?format=csv&{OCTOBER_ONLY}")
    assert csv_cells(page)[("2025-10", DCR, "contacts", "")] == 3


def test_the_export_page_for_some_sites(dataset, supervisor):
    page = supervisor.get(f"/reports/export?format=csv&{OCTOBER_ONLY}&site={NSP}&site={DCR}")
    cells = csv_cells(page)
    assert {key[1] for key in cells} == {DCR, NSP, ALL}
    assert cells[("2025-10", ALL, "contacts", "")] == 6  # 3 + 3
    assert cells[("2025-10", ALL, "syringes_distributed", "")] == 75  # 20 + 55


def test_the_export_forms_offer_the_supervisors_sites(dataset, login_as):
    """Two forms, of months and of a year, each with the supervisor's sites and the box to
    hide small numbers ticked."""
    api = login_as("supervisor", sites=[DCR, OUT])
    response = api.get("/reports/export")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    months, year = page.find_all("form", method="get")
    for form in (months, year):
        boxes = form.find_all("input", name="site")
        assert [box["value"] for box in boxes] == [DCR, OUT]
        assert [next(box.ancestors()).text for box in boxes] == [
            "DCR Amsterdam",
            "Street team",
        ]
        assert form.one("input", name="suppress")["value"] == "true"
        assert form.one("input", name="suppress").get("checked") is not None
    assert months.one("input", name="from")
    # The year's form: a labelled choice of this year and the four before it, last year chosen.
    label = year.one("label", **{"for": "f-year"})
    assert label.text == "Year"
    this_year = local_now().year  # in Amsterdam, the organisation's time zone
    options = year.one("select", id="f-year").find_all("option")
    assert [int(option["value"]) for option in options] == list(range(this_year, this_year - 5, -1))
    assert [option["value"] for option in options if option.get("selected") is not None] == [
        str(this_year - 1)
    ]


def test_the_year_form_sends_the_apis_annual_export(dataset, supervisor):
    api = supervisor.get("/api/v1/exports/annual.csv?year=2025&suppress=false")
    api_text = api.get_data(as_text=True)
    page = supervisor.get("/reports/export?format=csv&year=2025")  # the box unticked
    assert page.status_code == 200
    assert page.get_data(as_text=True) == api_text
    assert api_text.startswith("year,site,indicator,breakdown,value\n")
    workbook = supervisor.get(f"/reports/export?format=xlsx&year=2025&site={DCR}")
    assert workbook.headers["Content-Disposition"] == (
        'attachment; filename="outreach-2025-unsuppressed.xlsx"'
    )


def test_the_year_form_answers_a_bad_year_with_a_page(dataset, supervisor):
    response = supervisor.get("/reports/export?format=csv&year=1800")
    assert response.status_code == 422
    assert "1900" in response.get_data(as_text=True)
