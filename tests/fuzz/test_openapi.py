"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI app.

Every operation of `/api/v1/openapi.json` (but signing out, which would end the session) gets
generated requests, valid ones and invalid ones, from a signed-in supervisor of AMS-DCR1 who
sends the session cookie and the CSRF token. Every answer must not be a 5xx (DESIGN §6: never a
500 for anything a client sends) and must conform to the document: a documented status code, the
documented content type, documented headers and the documented schema.

One pytest test per operation, each with a Hypothesis `@given` of its own over the operation's
strategies (schemathesis' public `as_strategy`), rather than `schema.parametrize()`: under pytest
9.2 that plugin gives every operation's test the same node id.

The document's schemas never hold the shapes that broke the app before, so a third test per
operation lays them over the generated requests (`hostile`): JSON numbers of thousands of digits
(beyond Python's 4300-digit limit on reading an int), and line breaks, NUL and other control
characters, bidirectional controls and odd digits in strings and query values. (Lone surrogates,
which JSON can carry but no encoding can write, are tests/test_hardening.py's: schemathesis reads
an answer echoing one as malformed JSON, whatever else is wrong.)
"""

import json

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
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
HOSTILE_EXAMPLES_PER_OPERATION = 25
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


# Hostile values


# Numbers json.loads cannot turn into an int (ValueError, not JSONDecodeError): beyond 4300 digits.
HUGE_NUMBERS = ["9" * 5000, "-" + "9" * 5000, "1" + "0" * 4400]
# Bidirectional embeddings, overrides and isolates.
BIDI_CONTROLS = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
# Pieces of text the schemas never generate: line breaks (a header injection), NUL (which no
# PostgreSQL text holds; drawn more often), other controls, Unicode's own line breaks, digits
# int() reads that are no ASCII digits (and one it does not read), far-off dates and a number of
# 5000 digits as text.
HOSTILE_PIECES = [
    "\r\n",
    "\r\n",
    "\r",
    "\n",
    "\x00",
    "\x00",
    "\x00",
    "\t",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    *BIDI_CONTROLS,
    "²",
    "٣",
    "1e3",
    "9999-12-31",
    "0001-01-01",
    "9" * 5000,
    "%0D%0A",
    "/\\evil.example",
]
# Query parameters of the document's operations, and a stray one: set to hostile text on any
# operation, documented there or not.
QUERY_NAMES = ["from", "to", "page", "per_page", "site", "month", "status", "suppress", "next"]


@st.composite
def hostile_text(draw, pieces: list[str]) -> str:
    """Text with at least one hostile piece in it, and a little ordinary text around."""
    parts = draw(st.lists(st.sampled_from(pieces) | st.text(max_size=3), max_size=3))
    parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(pieces)))
    return "".join(parts)


HOSTILE_TEXT = hostile_text(HOSTILE_PIECES)


@st.composite
def with_hostile_strings(draw, value):
    """A JSON value with some of its strings (and now and then another leaf) replaced by hostile
    text, and perhaps an extra hostile key in an object."""
    if isinstance(value, dict):
        changed = {key: draw(with_hostile_strings(item)) for key, item in value.items()}
        if draw(st.integers(0, 3)) == 0:  # not too often: an unknown key refuses the rest
            changed[draw(HOSTILE_TEXT)] = draw(HOSTILE_TEXT)
        return changed
    if isinstance(value, list):
        return [draw(with_hostile_strings(item)) for item in value]
    if isinstance(value, str) and draw(st.integers(0, 3)) > 0:
        return draw(HOSTILE_TEXT)
    if draw(st.integers(0, 4)) == 0:
        return draw(HOSTILE_TEXT)
    return value


MARK = "<a number of thousands of digits>"


@st.composite
def with_huge_number(draw, value):
    """A JSON value as raw bytes, with a number of thousands of digits in place of one of its
    leaves or as an extra key or item (Python's json module could not even write it)."""

    def mark(node):
        if isinstance(node, dict):
            if not node or draw(st.integers(0, 3)) == 0:
                return {**node, draw(st.sampled_from(["extra", *node])): MARK}
            key = draw(st.sampled_from(sorted(node)))
            return {**node, key: mark(node[key])}
        if isinstance(node, list):
            if not node or draw(st.integers(0, 3)) == 0:
                return [*node, [MARK]]
            index = draw(st.integers(0, len(node) - 1))
            return [*node[:index], mark(node[index]), *node[index + 1 :]]
        return MARK

    text = json.dumps(mark(value))
    return text.replace(json.dumps(MARK), draw(st.sampled_from(HUGE_NUMBERS))).encode()


@st.composite
def with_hostile_query(draw, query):
    """Query values replaced by hostile text, and perhaps a hostile parameter added."""
    changed = dict(query or {})
    for name in sorted(changed):
        if draw(st.booleans()):
            changed[name] = draw(HOSTILE_TEXT)
    if not changed or draw(st.booleans()):
        changed[draw(st.sampled_from(QUERY_NAMES))] = draw(HOSTILE_TEXT)
    return changed


def takes_json(case) -> bool:
    return (
        case.body is not NOT_SET
        and not isinstance(case.body, bytes)
        and "json" in (case.media_type or "")
    )


@st.composite
def hostile(draw, case):
    """The generated case with one hostile change: a huge number or hostile strings in its JSON
    body, or hostile query values."""
    ways = ["query", "strings", "strings", "huge number"] if takes_json(case) else ["query"]
    way = draw(st.sampled_from(ways))
    if way == "query":
        case.query = draw(with_hostile_query(case.query))
    elif way == "strings":
        case.body = draw(with_hostile_strings(case.body))
    else:
        case.body = draw(with_huge_number(case.body))
    return case


def test_hostile_values_are_laid_over_the_generated_requests():
    """The strategies themselves: a huge number makes a body Python cannot even read back."""

    @given(body=with_huge_number({"contacts": [{"people_count": 1}], "sent_at": None}))
    @settings(max_examples=20, derandomize=True, database=None)
    def check(body):
        assert isinstance(body, bytes)
        with pytest.raises(ValueError):
            json.loads(body)

    check()


@pytest.fixture
def stored(supervisor, make_contact, make_incident):
    """Ids of stored records by path prefix, enough of them that several hostile void reasons
    get as far as the database (a record is voided only once)."""
    contacts = [make_contact(referrals=[]) for _ in range(HOSTILE_EXAMPLES_PER_OPERATION)]
    incidents = [make_incident() for _ in range(HOSTILE_EXAMPLES_PER_OPERATION)]
    response = supervisor.sync(contacts=contacts, incidents=incidents)
    assert {result["status"] for result in response.get_json()["results"]} == {"created"}
    return {
        "/api/v1/contacts/": [contact["id"] for contact in contacts],
        "/api/v1/incidents/": [incident["id"] for incident in incidents],
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_survives_hostile_values(operation, app, supervisor, request):
    """Valid and invalid requests with a hostile value laid over them: never a 5xx, and every
    answer (mostly 400 and 422) as documented."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    stored = request.getfixturevalue("stored") if "{record_id}" in operation.path else {}
    strategies += [
        st.sampled_from(record_ids).flatmap(
            lambda record_id: operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters={"record_id": record_id}
            )
        )
        for prefix, record_ids in stored.items()
        if operation.path.startswith(prefix)
    ]
    call_and_validate_cases(
        app,
        st.one_of(strategies).flatmap(hostile),
        HOSTILE_EXAMPLES_PER_OPERATION,
        headers={"X-CSRFToken": supervisor.csrf_token},
        cookies={"session": supervisor.client.get_cookie("session").value},
    )
