"""The OpenAPI document declares what the exports' arguments are checked against, so a request
made from the document reaches the export: patterns, ranges, lengths and types, and the rules
across fields in the descriptions. And the server agrees: what the document allows is answered
200, what breaks a declared constraint 422."""

import re

import pytest

from outreach.exports.schemas import MAX_EXPORT_MONTHS

EXPORTS = ("monthly.csv", "monthly.xlsx", "annual.csv", "annual.xlsx")
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


@pytest.fixture
def parameters(client):
    document = client.get("/api/v1/openapi.json").get_json()

    def of(export: str) -> dict:
        operation = document["paths"][f"/api/v1/exports/{export}"]["get"]
        return {parameter["name"]: parameter for parameter in operation["parameters"]}

    return of


@pytest.mark.parametrize("export", EXPORTS)
def test_sites_and_suppress_are_declared(parameters, export):
    site, suppress = parameters(export)["site"], parameters(export)["suppress"]
    assert site["required"] is False
    assert site["schema"]["type"] == "array"
    assert site["explode"] is True
    assert {key: site["schema"]["items"][key] for key in ("type", "minLength", "maxLength")} == {
        "type": "string",
        "minLength": 1,
        "maxLength": 40,
    }
    assert suppress["schema"] == {"type": "boolean", "default": True}
    assert suppress["required"] is False
    assert "small counts" in suppress["description"]


@pytest.mark.parametrize("export", ["monthly.csv", "monthly.xlsx"])
def test_the_months_are_declared_with_their_pattern_and_their_rules(parameters, export):
    declared = parameters(export)
    assert set(declared) == {"from", "to", "site", "suppress"}
    for name in ("from", "to"):
        assert declared[name]["required"] is True
        assert declared[name]["schema"] == {"type": "string", "pattern": MONTH_PATTERN}
    # What JSON Schema cannot say is said in words.
    assert "not before `from`" in declared["to"]["description"]
    assert f"at most {MAX_EXPORT_MONTHS} months" in declared["to"]["description"]


@pytest.mark.parametrize("export", ["annual.csv", "annual.xlsx"])
def test_the_year_is_declared_with_its_range(parameters, export):
    declared = parameters(export)
    assert set(declared) == {"year", "site", "suppress"}
    assert declared["year"]["required"] is True
    assert declared["year"]["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2099}


# -- The server agrees with the document, both ways -------------------------------------------


def test_the_declared_pattern_is_the_servers():
    pattern = re.compile(MONTH_PATTERN)
    assert pattern.match("1900-01") and pattern.match("2099-12")
    assert not pattern.match("2025-13") and not pattern.match("2100-01")


@pytest.mark.parametrize(
    ("export", "query"),
    [
        ("monthly.csv", {"from": "1900-01", "to": "1900-01"}),
        ("monthly.csv", {"from": "2099-12", "to": "2099-12", "suppress": "false"}),
        ("monthly.csv", {"from": "2023-01", "to": "2025-12"}),  # 36 months
        ("annual.csv", {"year": "1900"}),
        ("annual.csv", {"year": "2099", "suppress": "true"}),
        ("annual.xlsx", {"year": "2025", "site": "AMS-DCR1"}),
    ],
)
def test_what_the_document_allows_is_answered(login_as, export, query):
    supervisor = login_as("supervisor", sites=["AMS-DCR1"])
    response = supervisor.get(f"/api/v1/exports/{export}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("export", "query", "field"),
    [
        ("monthly.csv", {"to": "2025-10"}, "from"),  # required
        ("monthly.csv", {"from": "2025-10"}, "to"),
        ("monthly.csv", {"from": "2025-13", "to": "2025-10"}, "from"),  # pattern
        ("monthly.csv", {"from": "2100-01", "to": "2100-01"}, "from"),
        ("monthly.csv", {"from": "2025-10", "to": "2025-9"}, "to"),
        ("monthly.csv", {"from": "2025-10", "to": "2025-09"}, "to"),  # described: not before
        ("monthly.csv", {"from": "2023-01", "to": "2026-01"}, "to"),  # described: 36 months
        ("annual.csv", {}, "year"),  # required
        ("annual.csv", {"year": "1899"}, "year"),  # minimum
        ("annual.csv", {"year": "2100"}, "year"),  # maximum
        ("annual.csv", {"year": "2025.5"}, "year"),  # integer
        ("annual.csv", {"year": "2025", "suppress": "sometimes"}, "suppress"),  # boolean
        ("annual.csv", {"year": "2025", "site": ""}, "site"),  # minLength
        ("annual.csv", {"year": "2025", "site": "S" * 41}, "site"),  # maxLength
        ("monthly.xlsx", {"from": "2025-10", "to": "2025-10", "site": "S" * 41}, "site"),
    ],
)
def test_what_breaks_a_declared_constraint_is_refused_with_the_fields_message(
    login_as, export, query, field
):
    supervisor = login_as("supervisor", sites=["AMS-DCR1"])
    response = supervisor.get(f"/api/v1/exports/{export}", query_string=query)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"][field]
