"""The blueprint class every JSON API module uses, so all of them parse bodies the same way and
document their error answers the same way; and what the OpenAPI document says of Outreach's own
fields."""

import json

from flask_smorest import Api, Blueprint
from flask_smorest.error_handler import ErrorSchema
from webargs.flaskparser import FlaskParser

from outreach.fields import ANY_DAY, ANY_DAY_PATTERN, KEPT_TEXT, Text

# What each error status means, whichever operation answers it (DESIGN §6). The body is always
# {"code", "status", "message", "errors"}: flask-smorest's Error schema.
ERROR_DESCRIPTIONS = {
    400: "The body is not JSON, or not sent as application/json, or the CSRF token "
    "(`X-CSRFToken`) is missing or wrong.",
    401: "Not signed in.",
    403: "Signed in, but not allowed.",
    404: "Not found.",
    409: "Conflicts with what is stored.",
    413: "The body is larger than 1 MiB.",
    429: "Too many requests; `Retry-After` says when to try again.",
}


class JSONParser(FlaskParser):
    """webargs' parser, answering 400 (not 500) to JSON Python cannot decode: nested too deep,
    or a number of thousands of digits (beyond Python's limit on converting digits to an int,
    which raises a ValueError that is not a JSONDecodeError)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            error = json.JSONDecodeError("Nested too deeply", "", 0)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            error = json.JSONDecodeError("A number with too many digits", "", 0)
        return self._handle_invalid_json_error(error, req)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JSONParser()

    def error(self, status_code: int, description: str | None = None):
        """Document an error answer of the operation, with the Error schema."""
        return self.alt_response(
            status_code,
            schema=ErrorSchema,
            description=description or ERROR_DESCRIPTIONS[status_code],
        )

    def errors(self, *status_codes: int):
        """Document several error answers with their usual descriptions: `@blp.errors(401, 404)`.

        Every operation also has flask-smorest's `default` error response, but a client reading
        the document learns from the listed codes what an operation may answer.
        """

        def decorator(view):
            for status_code in status_codes:
                view = self.error(status_code)(view)
            return view

        return decorator


# What the OpenAPI document says of the fields apispec cannot read by itself (DESIGN §6: a request
# the document allows must reach the logic, not stop at a 422).

TEXT_DESCRIPTION = (
    "Kept without outer spaces and bidirectional controls: text sent with them is accepted, "
    "trimmed, and its length is counted after trimming. No control characters other than tab "
    "and line breaks, no lone surrogates."
)


def outreach_field_properties(converter, field, ret: dict, **kwargs) -> dict:
    """An apispec attribute function: `Text` as kept (its pattern), and a day that `ANY_DAY`
    bounds (as a pattern on the year: JSON Schema has no minimum for a date)."""
    if isinstance(field, Text):
        description = " ".join(filter(None, [ret.get("description"), TEXT_DESCRIPTION]))
        return {"pattern": KEPT_TEXT, "description": description}
    if ANY_DAY in field.validators:
        return {"pattern": ANY_DAY_PATTERN}
    return {}


def document_outreach_fields(api: Api) -> None:
    """Teach the document's marshmallow converter Outreach's fields; after `api.init_app`, before
    the blueprints are registered."""
    api.ma_plugin.converter.add_attribute_function(outreach_field_properties)
