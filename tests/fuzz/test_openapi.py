"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI app.

Every operation of `/api/v1/openapi.json` (but signing out, which would end the session) gets
generated requests, valid ones and invalid ones, from a signed-in supervisor of AMS-DCR1 who
sends the session cookie and the CSRF token. Every answer must not be a 5xx (DESIGN §6: never a
500 for anything a client sends) and must conform to the document: a documented status code, the
documented content type, documented headers and the documented schema.

One pytest test per operation, each with a Hypothesis `@given` of its own over the operation's
strategies (schemathesis' public `as_strategy`), rather than `schema.parametrize()`: under pytest
9.2 that plugin gives every operation's test the same node id.
"""

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.security import generate_password_hash

from outreach import create_app
from outreach.auth import service as auth_service

EXAMPLES_PER_OPERATION = 50
QUICK = "pbkdf2:sha256:1"


def status_code_listed(ctx, response, case):
    """The status code is listed for the operation itself: flask-smorest puts a `default` error
    response under every operation, and `status_code_conformance` accepts any code that
    `default` covers, so without this check a client reading the document could never learn
    that an operation may answer, say, 400, 404 or 413."""
    listed = [code for code in case.operation.responses.status_codes if code != "default"]
    code = str(response.status_code)
    if code not in listed and f"{code[0]}XX" not in listed:
        raise AssertionError(
            f"{case.operation.label} answered {code}, which its responses do not list "
            f"(listed: {', '.join(sorted(listed))})"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    status_code_listed,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The document is read once, at collection, from an app of its own (the document does not depend
# on the database); the calls go to the test's app, on the test's database.
SCHEMA = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
).exclude(path="/api/v1/auth/logout")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def many_sign_ins(app, monkeypatch):
    """Generated sign-ins fail by the dozen, all from one address: the limits must not lock the
    run out (429 is documented, but would hide what sign-in does with the rest). Unknown names
    are checked against a real (slow) hash: a cheap one instead, as for the test users."""
    app.config["OUTREACH_LOGIN_LIMIT"] = "100000 per minute"
    app.config["OUTREACH_LOGIN_FAILURE_LIMIT"] = "100000 per minute"
    monkeypatch.setattr(auth_service, "_UNKNOWN_USER_HASH", generate_password_hash("x", QUICK))


@pytest.fixture
def supervisor(many_sign_ins, login_as, make_contact, make_incident):
    """A supervisor of AMS-DCR1, signed in through the API, with a contact and an incident of
    their site stored, so that lists and reports answer with records and not only empty ones."""
    api = login_as("supervisor", sites=["AMS-DCR1"])
    contact, incident = make_contact(), make_incident()
    response = api.sync(contacts=[contact], incidents=[incident])
    assert [r["status"] for r in response.get_json()["results"]] == ["created", "created"]
    api.stored = {"/api/v1/contacts/": contact["id"], "/api/v1/incidents/": incident["id"]}
    return api


def test_the_document_lists_the_operations():
    assert len(OPERATIONS) >= 14
    assert "POST /api/v1/auth/logout" not in {operation.label for operation in OPERATIONS}


def call_and_validate_cases(app, cases, examples: int, headers=None, cookies=None) -> None:
    """Send `examples` requests drawn from `cases` to the app; every answer is checked."""

    @given(case=cases)
    @settings(
        max_examples=examples,
        derandomize=True,  # the same requests on every run: CI is stable
        database=None,
        deadline=None,
    )
    def call(case):
        case.call_and_validate(app=app, headers=headers, cookies=cookies, checks=CHECKS)

    call()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_answers_as_documented(operation, app, supervisor):
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    # A random id is all but never stored: ask for the stored record too, to see a 200 (and,
    # voiding it a second time, a 409).
    strategies += [
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"record_id": record_id})
        for prefix, record_id in supervisor.stored.items()
        if operation.path.startswith(prefix)
    ]
    call_and_validate_cases(
        app,
        st.one_of(strategies),
        EXAMPLES_PER_OPERATION,
        headers={"X-CSRFToken": supervisor.csrf_token},
        cookies={"session": supervisor.client.get_cookie("session").value},
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_answers_as_documented_when_signed_out(operation, app, many_sign_ins):
    """Without a session (a phone whose sign-in expired): 401 as documented, never a 5xx."""
    call_and_validate_cases(app, operation.as_strategy(GenerationMode.POSITIVE), 10)
