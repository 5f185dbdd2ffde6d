"""Administration pages (admins only): `/admin/users` (deactivate, sign out everywhere) and
`/admin/audit`, the audit log to read and filter."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from outreach.audit.service import ACTIONS, find_events
from outreach.auth import service as accounts
from outreach.auth.access import roles_required
from outreach.auth.models import User
from outreach.catalog.vocabulary import ROLES
from outreach.errors import InvalidInput, NotFound
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


@bp.route("/users")
@roles_required("admin")
def users():
    """Every account, with buttons to deactivate it or sign it out on every device."""
    everyone = db.session.execute(select(User).order_by(User.active.desc(), User.username))
    return render_template("admin/users.html", users=everyone.scalars().all(), roles=ROLES)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def set_user_active(user_id):
    """Deactivate (refused at their next request) or activate again."""
    user = _user(user_id)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        raise InvalidInput(errors={"active": [_("You cannot deactivate your own account.")]})
    accounts.set_active(user, active, current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=user.username), "info")
    else:
        flash(_("%(name)s is deactivated and signed out.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/revoke", methods=["POST"])
@roles_required("admin")
def revoke_user_sessions(user_id):
    """Sign a user out on every device (a lost phone); they can sign in again."""
    user = _user(user_id)
    accounts.revoke_sessions(user, current_user)
    db.session.commit()
    flash(_("%(name)s is signed out on every device.", name=user.username), "info")
    return redirect(url_for("admin.users"))
