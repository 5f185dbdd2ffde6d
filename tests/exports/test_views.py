"""`/reports/export`, the export form: it offers the supervisor's own sites and sends the
files the API sends."""

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


def test_the_export_form_offers_the_supervisors_sites(dataset, login_as):
    api = login_as("supervisor", sites=[DCR, OUT])
    response = api.get("/reports/export")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    boxes = page.find_all("input", name="site")
    assert [box["value"] for box in boxes] == [DCR, OUT]
    assert page.find("input", name="suppress")["value"] == "true"
