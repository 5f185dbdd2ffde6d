"""Sign-in pages: `/login`, `/logout`, `/` sending each user to their home, and
`/account/language`, the user's own choice of language."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from outreach.auth import service
from outreach.auth.limits import login_limits, own_password_limits
from outreach.auth.sessions import sessions_of
from outreach.errors import NotFound
from outreach.fields import has_line_breaks_or_controls
from outreach.transactions import form_transaction, transaction

bp = Blueprint("auth", __name__)


def home_url(user) -> str:
    """Supervisors and admins start at the reports; everyone else in the field."""
    return url_for("reports.dashboard" if user.can_see_reports else "field.home")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never send someone off-site after signing in."""
    if not target:
        return None
    if has_line_breaks_or_controls(target):  # a line break would end up in a header
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_url(current_user))


@bp.route("/setup", methods=["GET", "POST"])
@login_limits
def setup():
    """A new organisation's first page: make the first admin. Gone (404) once any user exists."""
    if not service.needs_first_admin():
        raise NotFound(_("This organisation is set up already."))
    errors, username = {}, ""
    if request.method == "POST":
        username = request.form.get("username", "")
        with form_transaction() as work:
            service.set_up_first_admin(
                username, request.form.get("password", ""), request.form.get("repeated", "")
            )
        if work.saved:
            return redirect(url_for("admin.sites"))
        errors = work.errors
    status = 422 if errors else 200
    return render_template("auth/setup.html", errors=errors, values={"username": username}), status


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")
        with transaction():  # a failure is audited too
            user = service.sign_in(
                username,
                request.form.get("password", ""),
                remember=request.form.get("remember") == "on",
            )
        if user is not None:
            return redirect(_safe_next(request.args.get("next")) or home_url(user))
        error = _("Wrong username or password.")
    elif current_user.is_authenticated:
        return redirect(home_url(current_user))
    status = 401 if error else 200
    return render_template(
        "auth/login.html",
        error=error,
        username=username,
        new_organisation=service.needs_first_admin(),
    ), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET shows a sign-out button (so a link cannot sign anyone out); POST signs out."""
    if request.method == "POST":
        with transaction():
            service.sign_out(current_user)
        return redirect(url_for("auth.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.route("/account")
@login_required
def account():
    """The user's own signed-in devices, each of which they can sign out."""
    return render_template("auth/account.html", sessions=sessions_of(current_user))


@bp.route("/account/sessions/<row_id:session_id>/end", methods=["POST"])
@login_required
def end_own_session(session_id):
    """Sign one of the user's devices out; this one goes to the sign-in page."""
    user_session = service.find_session(current_user, session_id)
    this_device = user_session.id == current_user.session.id
    with transaction():
        service.sign_out_device(user_session, current_user)
        if this_device:
            service.sign_out(current_user)  # its cookies go too
    if this_device:
        return redirect(url_for("auth.login"))
    flash(_("%(device)s is signed out.", device=user_session.device or "?"), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@own_password_limits
def change_password():
    """The user's own password: the current one, then the new one twice."""
    errors = {}
    if request.method == "POST":
        with form_transaction() as work:
            service.change_own_password(
                current_user._get_current_object(),  # it signs this user in again
                request.form.get("current", ""),
                request.form.get("password", ""),
                request.form.get("repeated", ""),
            )
        if work.saved:
            flash(_("Your password is changed. Other phones and browsers are signed out."))
            return redirect(home_url(current_user))
        errors = work.errors
    status = 422 if errors else 200
    return render_template("auth/password.html", errors=errors, values={}), status


@bp.route("/account/language", methods=["POST"])
@login_required
def set_language():
    """Choose Dutch, English, or whatever the browser asks for; back to the page it came from."""
    with transaction():
        service.set_language(current_user, request.form.get("language", ""))
    return redirect(_safe_next(request.form.get("next")) or url_for("field.home"))
