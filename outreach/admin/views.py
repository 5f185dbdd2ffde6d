"""Administration pages (admins only): `/admin/users` (create, change role and sites, reset a
password, deactivate, sign out everywhere) and `/admin/audit`, the audit log to read and filter."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from outreach.audit.schemas import AuditFilter
from outreach.audit.service import ACTIONS, find_events
from outreach.auth import service as accounts
from outreach.auth.access import roles_required
from outreach.auth.models import User
from outreach.auth.sessions import sessions_of
from outreach.catalog.models import Site
from outreach.catalog.service import site_options
from outreach.catalog.vocabulary import ROLES
from outreach.errors import InvalidInput, NotFound, plain
from outreach.extensions import db
from outreach.transactions import form_transaction, transaction

EVENTS_PER_PAGE = 50


def add_routes(blueprint: Blueprint) -> None:
    """The users pages and the audit log, on the admin blueprint."""
    add = blueprint.add_url_rule
    add("/audit", view_func=audit)
    add("/users", view_func=users)
    add("/users/<row_id:user_id>/active", view_func=set_user_active, methods=["POST"])
    add("/users/<row_id:user_id>/revoke", view_func=revoke_user_sessions, methods=["POST"])
    add(
        "/users/<row_id:user_id>/sessions/<row_id:session_id>/end",
        view_func=end_user_session,
        methods=["POST"],
    )
    add("/users/new", view_func=new_user, methods=["GET", "POST"])
    add("/users/<row_id:user_id>/edit", view_func=edit_user, methods=["GET", "POST"])


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


@roles_required("admin")
def set_user_active(user_id):
    """Deactivate (refused at their next request) or activate again."""
    user = _user(user_id)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        raise InvalidInput(errors={"active": [_("You cannot deactivate your own account.")]})
    with transaction():
        accounts.set_active(user, active, current_user)
    if active:
        flash(_("%(name)s can sign in again.", name=user.username), "info")
    else:
        flash(_("%(name)s is deactivated and signed out.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@roles_required("admin")
def revoke_user_sessions(user_id):
    """Sign a user out on every device (a lost phone); they can sign in again."""
    user = _user(user_id)
    with transaction():
        accounts.revoke_sessions(user, current_user)
    flash(_("%(name)s is signed out on every device.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@roles_required("admin")
def end_user_session(user_id, session_id):
    """Sign one of a user's devices out (a lost phone), leaving their others signed in."""
    user = _user(user_id)
    user_session = accounts.find_session(user, session_id)
    with transaction():
        accounts.sign_out_device(user_session, current_user)
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
        sites=site_options(sites),
        sessions=sessions_of(user) if user else [],
    )
    return page, status


@roles_required("admin")
def new_user():
    """A new account with a role, sites and a first password."""
    if request.method == "GET":
        return _user_form()
    form = request.form
    with form_transaction() as work:
        user = accounts.create_user(
            form.get("username", ""),
            form.get("password", ""),
            form.get("role", ""),
            form.getlist("sites"),
            actor=current_user,
        )
    if not work.saved:
        return _user_form(values=form, errors=work.errors, status=422)
    flash(_("%(name)s can sign in now.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@roles_required("admin")
def edit_user(user_id):
    """Change a user's role and sites; a new password, if typed, signs them out everywhere."""
    user = _user(user_id)
    if request.method == "GET":
        return _user_form(user)
    form = request.form
    with form_transaction() as work:
        accounts.update_user(
            user, form.get("role", ""), form.getlist("sites"), form.get("password"), current_user
        )
    if not work.saved:
        return _user_form(_user(user_id), values=form, errors=work.errors, status=422)
    flash(_("%(name)s is saved.", name=user.username), "info")
    return redirect(url_for("admin.users"))
