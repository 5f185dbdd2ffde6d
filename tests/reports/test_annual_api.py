"""`GET /api/v1/reports/annual`: the year's figures as JSON, for supervisors (their sites) and
admins; bad years answered 422 with the field, others' sites 403, nobody signed in 401."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports.annual import annual_report
from tests.reports.expected import flatten
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES


def test_a_supervisor_gets_the_year_of_their_sites(app, dataset, supervisor):
    response = supervisor.get("/api/v1/reports/annual?year=2025")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["year"] == 2025
    assert body["sites"] == list(SITES)
    assert set(body["values"]) == {*SITES, ALL}
    values = flatten(body["values"])
    with app.test_request_context():
        sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        report = annual_report(2025, sites)
    assert values == {key[1:]: value for key, value in report.values.items() if value}
    assert values[(ALL, "unique_clients", "")] == 6
    assert values[(ALL, "syringes_distributed", "")] == 125
    assert values[(ALL, "syringes_distributed_by_outlet", "pharmacy")] == 60
    assert values[(ALL, "outlets_active", "specialised")] == 2


def test_chosen_sites_total_those_sites_only(dataset, supervisor):
    body = supervisor.get(f"/api/v1/reports/annual?year=2025&site={OUT}&site={NSP}").get_json()
    assert body["sites"] == [OUT, NSP]
    assert DCR not in body["values"]
    values = flatten(body["values"])
    assert values[(ALL, "unique_clients", "")] == 5  # BERT CLEO; DIRK EVA NOOR
    assert values[(ALL, "syringes_distributed", "")] == 85  # 25 + 60
    assert values[(ALL, "outlets_active", "")] == 2


def test_a_year_without_records_has_no_values(dataset, supervisor):
    body = supervisor.get("/api/v1/reports/annual?year=1999").get_json()
    assert body == {"year": 1999, "sites": list(SITES), "values": {}}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "year=",
        "year=abc",
        "year=25",
        "year=1899",
        "year=2100",
        "year=2025.5",
        "year=99999999999999999999999",
        "year=2025&site=" + "X" * 41,
    ],
)
def test_bad_arguments_get_a_422_with_the_field(supervisor, query):
    response = supervisor.get(f"/api/v1/reports/annual?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 422
    field = "site" if "site=" in query else "year"
    assert body["errors"][field], body


def test_an_unknown_site_is_a_422(supervisor):
    response = supervisor.get("/api/v1/reports/annual?year=2025&site=NOWHERE")
    assert response.status_code == 422
    assert response.get_json()["errors"]["site"]


def test_another_sites_year_is_refused(dataset, login_as):
    api = login_as("supervisor", sites=[DCR])
    assert api.get(f"/api/v1/reports/annual?year=2025&site={NSP}").status_code == 403
    body = api.get("/api/v1/reports/annual?year=2025").get_json()
    assert body["sites"] == [DCR]
    assert set(body["values"]) == {DCR, ALL}


def test_workers_and_nobody_are_refused(client, login_as):
    assert client.get("/api/v1/reports/annual?year=2025").status_code == 401
    worker = login_as("worker")
    assert worker.get("/api/v1/reports/annual?year=2025").status_code == 403


def test_an_admin_gets_every_site(dataset, admin):
    body = admin.get("/api/v1/reports/annual?year=2025").get_json()
    assert body["sites"] == list(SITES)
    assert flatten(body["values"])[(ALL, "contacts", "")] == 14


def test_the_openapi_document_says_what_is_checked(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/reports/annual"]["get"]
    year = next(p for p in operation["parameters"] if p["name"] == "year")
    assert year["required"] is True
    assert year["schema"]["type"] == "integer"
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (1900, 2099)
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    assert "ST10" in operation["summary"] + operation["description"]
