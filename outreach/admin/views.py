"""Administration pages (admins only): `/admin/users` (create, change role and sites, reset a
password, deactivate, sign out everywhere) and `/admin/audit`, the audit log to read and filter."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from outreach.audit.service import ACTIONS, find_events
from outreach.auth import service as accounts
from outreach.auth.access import roles_required
from outreach.auth.models import User
from outreach.auth.sessions import sessions_of
from outreach.catalog.models import Site
from outreach.catalog.vocabulary import ROLES
from outreach.errors import InvalidInput, NotFound, plain
from outreach.extensions import db
from outreach.fields import ANY_DAY, Text

bp = Blueprint("admin", __name__, url_prefix="/admin")

EVENTS_PER_PAGE = 50


class AuditFilter(Schema):
    class Meta:
        unknown = EXCLUDE  # a stray query parameter is not the reader's mistake

    action = fields.String(
        load_default=None,
        validate=validate.OneOf(list(ACTIONS), error=_l("Choose an action from the list.")),
    )
    actor = Text(load_default=None, validate=validate.Length(max=60))
    date_from = fields.Date(data_key="from", load_default=None, validate=ANY_DAY)
    date_to = fields.Date(data_key="to", load_default=None, validate=ANY_DAY)
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
        errors = plain(exc.messages)  # marshmallow's own messages in the reader's language
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


@bp.route("/users/<row_id:user_id>/active", methods=["POST"])
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


@bp.route("/users/<row_id:user_id>/revoke", methods=["POST"])
@roles_required("admin")
def revoke_user_sessions(user_id):
    """Sign a user out on every device (a lost phone); they can sign in again."""
    user = _user(user_id)
    accounts.revoke_sessions(user, current_user)
    db.session.commit()
    flash(_("%(name)s is signed out on every device.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<row_id:user_id>/sessions/<row_id:session_id>/end", methods=["POST"])
@roles_required("admin")
def end_user_session(user_id, session_id):
    """Sign one of a user's devices out (a lost phone), leaving their others signed in."""
    user = _user(user_id)
    user_session = accounts.find_session(user, session_id)
    accounts.sign_out_device(user_session, current_user)
    db.session.commit()
    flash(
        _("%(name)s is signed out on %(device)s.", name=user.username, device=user_session.device),
        "info",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _user_form(user=None, values=None, errors=None, status=200):
    """The form to create a user (`user` None) or change one."""
    if values is None:
        values = MultiDict(
            [("role", user.role), *(("sites", site.code) for site in user.sites)]
            if user
            else [("role", "worker")]
        )
    sites = db.session.execute(select(Site).order_by(Site.code)).scalars()
    page = render_template(
        "admin/user_form.html",
        user=user,
        values=values,
        errors=errors or {},
        roles=ROLES,
        sites=[(site.code, f"{site.name} ({site.code})") for site in sites],
        sessions=sessions_of(user) if user else [],
    )
    return page, status


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    """A new account with a role, sites and a first password."""
    if request.method == "GET":
        return _user_form()
    form = request.form
    try:
        user = accounts.create_user(
            form.get("username", ""),
            form.get("password", ""),
            form.get("role", ""),
            form.getlist("sites"),
            actor=current_user,
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _user_form(values=form, errors=plain(exc.errors), status=422)
    db.session.commit()
    flash(_("%(name)s can sign in now.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<row_id:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id):
    """Change a user's role and sites; a new password, if typed, signs them out everywhere."""
    user = _user(user_id)
    if request.method == "GET":
        return _user_form(user)
    form = request.form
    errors = {}
    try:
        accounts.change_user(user, form.get("role", ""), form.getlist("sites"), current_user)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if form.get("password"):
        try:
            accounts.reset_password(user, form["password"], current_user)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        db.session.rollback()
        return _user_form(_user(user_id), values=form, errors=plain(errors), status=422)
    db.session.commit()
    flash(_("%(name)s is saved.", name=user.username), "info")
    return redirect(url_for("admin.users"))
