"""Administration pages (admins only): `/admin/audit`, the audit log to read and filter."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from outreach.audit.service import ACTIONS, find_events
from outreach.auth.access import roles_required
from outreach.extensions import db
from outreach.fields import Text

bp = Blueprint("admin", __name__, url_prefix="/admin")

EVENTS_PER_PAGE = 50


class AuditFilter(Schema):
    action = fields.String(load_default=None, validate=validate.OneOf(list(ACTIONS)))
    actor = Text(load_default=None, validate=validate.Length(max=60))
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))

    @validates_schema
    def check_range(self, data, **kwargs):
        if data["date_from"] and data["date_to"] and data["date_to"] < data["date_from"]:
            raise ValidationError(str(_("The last day comes before the first.")), "to")


@bp.route("/audit")
@roles_required("admin")
def audit():
    """Who did what and when, newest first; read-only."""
    typed = {key: value for key, value in request.args.items() if value.strip()}
    errors = {}
    try:
        chosen = AuditFilter().load(typed)
    except ValidationError as exc:
        errors = exc.messages
        chosen = AuditFilter().load({})
    events = db.paginate(
        find_events(chosen["action"], chosen["actor"], chosen["date_from"], chosen["date_to"]),
        page=chosen["page"],
        per_page=EVENTS_PER_PAGE,
        error_out=False,
    )

    def page_url(number):
        return url_for("admin.audit", **{**typed, "page": number})

    page = render_template(
        "admin/audit.html",
        events=events,
        actions=ACTIONS,
        typed=typed,
        errors=errors,
        page_url=page_url,
    )
    return page, 422 if errors else 200
