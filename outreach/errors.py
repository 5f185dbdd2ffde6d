"""The one exception hierarchy, and the one place that turns errors into responses."""

import logging
from http import HTTPStatus

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from outreach.marshmallow_messages import translated

log = logging.getLogger(__name__)


class OutreachError(Exception):
    """Base of every error the app raises on purpose; carries its HTTP status."""

    status_code = 400

    def __init__(self, message=None, errors=None):
        super().__init__(message)
        self.message = message or self.default_message()
        self.errors = errors or {}

    def default_message(self):
        return _("The request could not be handled.")


class InvalidInput(OutreachError):
    """Input that passed parsing but breaks a rule; `errors` maps field names to messages."""

    status_code = 422

    def default_message(self):
        return _("Some fields are not valid.")


class NotAllowed(OutreachError):
    status_code = 403

    def default_message(self):
        return _("You are not allowed to do this.")


class NotFound(OutreachError):
    status_code = 404

    def default_message(self):
        return _("Not found.")


class Conflict(OutreachError):
    status_code = 409

    def default_message(self):
        return _("This conflicts with what is already stored.")


class WrongCredentials(OutreachError):
    """A sign-in with an unknown name or a wrong password (the same answer for both)."""

    status_code = 401


class BatchTooLarge(OutreachError):
    """A sync request with more records than one request may carry."""

    status_code = 413


# Errors of plain functions, turned into a message where they are caught: their message is
# safe to show.


class InvalidOccurredAt(ValueError):
    """A record's time outside what the server accepts."""


class InvalidClientCode(ValueError):
    """A client code that cannot be normalised."""


class BackupError(RuntimeError):
    """A backup or restore that cannot be made."""


class RetentionError(ValueError):
    """A purge that must not run."""


class AuditLogIsAppendOnly(RuntimeError):
    """An attempt to change or remove an audit event (a bug: the app offers no way to)."""


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


HTTP_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Please sign in."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("This conflicts with what is already stored."),
    413: lambda: _("The request is too large."),
    415: lambda: _("Send JSON (Content-Type: application/json)."),
    422: lambda: _("Some fields are not valid."),
    429: lambda: _("Too many requests. Please wait a moment."),
    500: lambda: _("Something went wrong on the server. Nothing you sent was lost."),
    503: lambda: _("The server is busy. Please try again."),
}


def plain(messages):
    """Field messages with every (possibly lazy, translatable) string made a plain str, and
    marshmallow's own messages in the reader's language."""
    if isinstance(messages, dict):
        return {str(key): plain(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [plain(value) for value in messages]
    return translated(str(messages))


def error_response(status_code: int, message: str | None = None, errors: dict | None = None):
    """Render an error as JSON for the API and as a page for people."""
    message = message or HTTP_MESSAGES.get(status_code, HTTP_MESSAGES[400])()
    status = _status_phrase(status_code)
    if wants_json():
        body = {"code": status_code, "status": status, "message": message}
        if errors:
            body["errors"] = plain(errors)
        return make_response(jsonify(body), status_code)
    page = render_template(
        "errors.html", code=status_code, message=message, errors=plain(errors or {})
    )
    return make_response(page, status_code)


def _status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def _webargs_errors(exc: HTTPException) -> dict:
    """Flatten flask-smorest's {"messages": {location: {field: [...]}}} into {field: [...]}."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    errors = {}
    for by_field in messages.values():
        if isinstance(by_field, dict):
            errors.update(by_field)
        else:
            errors.setdefault("_schema", []).extend(by_field)
    return errors


def register_error_handlers(app) -> None:
    @app.errorhandler(OutreachError)
    def handle_outreach_error(exc):
        return error_response(exc.status_code, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(exc):
        return error_response(
            400, _("The form has expired or its security token is wrong. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc):
        errors = _webargs_errors(exc)
        message = None
        if exc.code == 400 and errors:
            message = _("The request body is not valid JSON.")
        response = error_response(exc.code or 500, message, errors)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def handle_server_error(exc):
        original = getattr(exc, "original_exception", None)
        # The traceback names code, not data; request bodies are never logged.
        log.error("Unhandled error on %s %s", request.method, request.url_rule, exc_info=original)
        return error_response(500)
