"""The OpenAPI document says what the server checks, for the incidents list and the voids (issue
17, item 8): the constraints as the document declares them, values on both sides of each that
the document (read by a JSON Schema validator) and the server judge alike, and requests generated
from the document that all reach the logic instead of stopping at a 422.

One leniency is documented rather than declared: `Text` trims outer spaces and drops
bidirectional controls, so its pattern describes the text as kept, and the server also takes it
untrimmed."""

from datetime import date

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from outreach import create_app
from outreach.fields import (
    ANY_DAY,
    ANY_DAY_PATTERN,
    KEPT_TEXT,
    clean_text,
    has_forbidden_characters,
)
from outreach.limits import MAX_CODE, MAX_VOID_REASON, MIN_VOID_REASON

LIST = "/api/v1/incidents"
VOID = "/api/v1/incidents/{record_id}/void"
CONTACT_VOID = "/api/v1/contacts/{record_id}/void"


def document_url(app) -> str:
    return f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['OPENAPI_JSON_PATH']}"


@pytest.fixture
def document(app, client) -> dict:
    response = client.get(document_url(app))
    assert response.status_code == 200
    return response.get_json()


def component(document: dict, reference: dict) -> dict:
    return document["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]


def list_parameters(document: dict) -> dict[str, dict]:
    parameters = document["paths"][LIST]["get"]["parameters"]
    assert all(parameter["in"] == "query" for parameter in parameters)
    return {parameter["name"]: parameter for parameter in parameters}


def void_body(document: dict, path: str = VOID) -> dict:
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    return component(document, body["content"]["application/json"]["schema"])


def declared_valid(schema: dict, value) -> bool:
    """What a client checking against the document makes of `value` (formats included)."""
    return jsonschema_rs.Draft4Validator(schema, validate_formats=True).is_valid(value)


@pytest.fixture
def supervisor_api(login_as):
    return login_as("supervisor", sites=["AMS-DCR1"])


@pytest.fixture
def stored_incident(supervisor_api, make_incident):
    """`stored_incident()` syncs a new incident of AMS-DCR1 and returns its id."""

    def store() -> str:
        incident = make_incident()
        response = supervisor_api.sync(incidents=[incident])
        assert [result["status"] for result in response.get_json()["results"]] == ["created"]
        return incident["id"]

    return store


# What the document declares


def test_the_incidents_list_declares_its_parameters(document):
    parameters = list_parameters(document)

    assert set(parameters) == {"from", "to", "site", "page", "per_page"}
    assert not any(parameter["required"] for parameter in parameters.values())
    for day in ("from", "to"):
        assert parameters[day]["schema"]["format"] == "date"
        assert parameters[day]["schema"]["pattern"] == ANY_DAY_PATTERN
    site = parameters["site"]["schema"]
    assert (site["type"], site["minLength"], site["maxLength"]) == ("string", 1, MAX_CODE)
    assert site["pattern"] == KEPT_TEXT
    assert "trimmed" in parameters["site"]["description"]
    for name, maximum in (("page", 100_000), ("per_page", 200)):
        schema = parameters[name]["schema"]
        assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", 1, maximum)


def test_the_voids_declare_their_body_and_record_id(document):
    body = void_body(document)

    assert body["required"] == ["reason"]
    assert body["additionalProperties"] is False
    assert body["properties"]["reason"] == {
        "type": "string",
        "minLength": MIN_VOID_REASON,
        "maxLength": MAX_VOID_REASON,
        "pattern": KEPT_TEXT,
        "description": body["properties"]["reason"]["description"],
    }
    assert void_body(document, CONTACT_VOID) == body
    for path in (VOID, CONTACT_VOID):
        (record_id,) = document["paths"][path]["parameters"]
        assert record_id["schema"] == {"type": "string", "format": "uuid"}
        assert "(409)" in document["paths"][path]["post"]["description"]
    assert "24 hours" in document["paths"][CONTACT_VOID]["post"]["description"]


def test_the_answers_name_the_type_of_every_field(document):
    page = component(
        document,
        document["paths"][LIST]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
    )
    incident = component(document, page["properties"]["incidents"]["items"])

    assert all("type" in field for field in incident["properties"].values())
    assert incident["properties"]["site"]["type"] == "string"
    assert incident["properties"]["voided"]["type"] == "boolean"
    assert incident["properties"]["client_alias"] == {
        "type": "string",
        "nullable": True,
        "readOnly": True,
    }


# The document and the server judge alike

# (query parameter, value, whether the document allows it)
LIST_VALUES = [
    ("from", "2026-10-01", True),
    ("from", "1900-01-01", True),
    ("from", "2999-12-31", True),
    ("from", "1899-12-31", False),
    ("from", "3000-01-01", False),
    ("from", "2026-02-30", False),
    ("from", "2026-10-1", False),
    ("from", "", False),
    ("to", "2026-10-31", True),
    ("to", "0001-01-01", False),
    ("to", "yesterday", False),
    ("site", "AMS-DCR1", True),
    ("site", "NOWHERE", True),
    ("site", "x" * MAX_CODE, True),
    ("site", "x" * (MAX_CODE + 1), False),
    ("site", "", False),
    ("site", "   ", False),
    ("site", "AMS\x00DCR1", False),
    ("site", "AMS\x1bDCR1", False),
    ("page", 1, True),
    ("page", 100_000, True),
    ("page", 0, False),
    ("page", 100_001, False),
    ("page", 1.5, False),
    ("page", "two", False),
    ("per_page", 200, True),
    ("per_page", 201, False),
    ("per_page", -1, False),
]


@pytest.mark.parametrize(("name", "value", "allowed"), LIST_VALUES)
def test_the_incidents_list_accepts_what_the_document_allows(
    document, supervisor_api, name, value, allowed
):
    assert declared_valid(list_parameters(document)[name]["schema"], value) is allowed

    response = supervisor_api.get(LIST, query_string={name: str(value)})

    assert response.status_code == (200 if allowed else 422), response.get_json()
    if not allowed:
        assert name in response.get_json()["errors"]


# (body, whether the document allows it)
VOID_BODIES = [
    ({"reason": "Entered twice"}, True),
    ({"reason": "abc"}, True),
    ({"reason": "x" * MAX_VOID_REASON}, True),
    ({"reason": "Dubbel ingevoerd:\nzie de vorige"}, True),
    ({"reason": "Wrong client 😀"}, True),
    ({"reason": "ab"}, False),
    ({"reason": "x" * (MAX_VOID_REASON + 1)}, False),
    ({"reason": "bad\x00reason"}, False),
    ({"reason": "bad\x1breason"}, False),
    ({"reason": "     "}, False),
    ({"reason": " \u202eab "}, False),
    ({"reason": None}, False),
    ({"reason": 12345}, False),
    ({}, False),
    ({"reason": "Entered twice", "by": "me"}, False),
]


@pytest.mark.parametrize(("body", "allowed"), VOID_BODIES)
def test_the_void_accepts_what_the_document_allows(
    document, supervisor_api, stored_incident, body, allowed
):
    assert declared_valid(void_body(document), body) is allowed

    response = supervisor_api.post(VOID.format(record_id=stored_incident()), json=body)

    assert response.status_code == (200 if allowed else 422), response.get_json()


def test_a_reason_with_outer_spaces_is_accepted_and_kept_trimmed(
    document, supervisor_api, stored_incident
):
    """The documented leniency: the pattern describes the reason as kept."""
    body = {"reason": "  Entered twice\u202c "}
    assert not declared_valid(void_body(document), body)

    response = supervisor_api.post(VOID.format(record_id=stored_incident()), json=body)

    assert response.status_code == 200
    assert response.get_json()["void_reason"] == "Entered twice"


# The patterns say exactly what the fields check

TEXT = st.text(
    st.characters(codec="utf-8") | st.sampled_from(" \t\n\r\x00\x1b\x85\xa0\u2028\u202a\u2066")
)


@given(TEXT)
def test_the_text_pattern_is_the_text_as_kept(text):
    """Whatever `Text` keeps matches the pattern, and what matches is kept as it is."""
    matches = declared_valid({"type": "string", "pattern": KEPT_TEXT}, text)
    if not has_forbidden_characters(text):
        assert declared_valid({"type": "string", "pattern": KEPT_TEXT}, clean_text(text))
    if matches:
        assert not has_forbidden_characters(text)
        assert clean_text(text) == text


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_the_day_pattern_is_the_days_any_day_allows(day):
    allowed = ANY_DAY.min <= day <= ANY_DAY.max

    assert (
        declared_valid({"type": "string", "pattern": ANY_DAY_PATTERN}, day.isoformat()) is allowed
    )


# Requests generated from the document reach the logic

GENERATED = 40
SCHEMA = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
)


def call_generated(app, api, strategy, reached: set[int]) -> None:
    @given(case=strategy)
    @settings(max_examples=GENERATED, derandomize=True, database=None, deadline=None)
    def call(case):
        response = case.call(
            app=app,
            headers={"X-CSRFToken": api.csrf_token},
            cookies={"session": api.client.get_cookie("session").value},
        )
        assert response.status_code in reached, (case.query, case.body, response.text)

    call()


def test_generated_list_requests_are_answered(app, supervisor_api):
    strategy = SCHEMA[LIST]["GET"].as_strategy(GenerationMode.POSITIVE)

    call_generated(app, supervisor_api, strategy, reached={200})


def test_generated_voids_are_answered(app, supervisor_api, stored_incident):
    """The first void of the stored incident answers 200, the ones after it 409: both past the
    validation."""
    strategy = SCHEMA[VOID]["POST"].as_strategy(
        GenerationMode.POSITIVE, path_parameters={"record_id": stored_incident()}
    )

    call_generated(app, supervisor_api, strategy, reached={200, 409})
