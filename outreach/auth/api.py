"""JSON sign-in: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/me`."""

from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from outreach.apiblueprint import ApiBlueprint
from outreach.auth import service
from outreach.auth.limits import login_limits
from outreach.auth.schemas import LoginIn, SessionOut
from outreach.catalog.service import catalog_version
from outreach.errors import WrongCredentials
from outreach.sealing.keys import keyring
from outreach.transactions import transaction

blp = ApiBlueprint("auth_api", __name__, url_prefix="/api/v1", description="Sign in and out.")


@blp.route("/auth/login", methods=["POST"])
@login_limits
@blp.arguments(LoginIn)
@blp.response(200, SessionOut)
@blp.error(400, "The body is not JSON, or not sent as application/json.")
@blp.error(401, "Wrong username or password.")
@blp.errors(413)
@blp.error(429, "Too many attempts; `Retry-After` says when to try again.")
def login(credentials):
    """Sign in; sets the session cookie and returns the CSRF token for what follows."""
    with transaction():  # a failure is audited too
        user = service.sign_in(
            credentials["username"], credentials["password"], remember=credentials["remember"]
        )
    if user is None:
        raise WrongCredentials(_("Wrong username or password."))
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
@blp.errors(400, 401, 413)
@login_required
def logout():
    """Sign out."""
    with transaction():
        service.sign_out(current_user)


@blp.route("/me", methods=["GET"])
@blp.response(200, SessionOut)
@blp.errors(401)
@login_required
def me():
    """The signed-in user, a fresh CSRF token (fetch one before every sync run), the
    version of the user's catalog, so that every sync run tells a phone of catalog changes, and
    the newest key to seal records to."""
    return {
        "user": current_user,
        "csrf_token": generate_csrf(),
        "catalog_version": catalog_version(current_user),
        "seal_key": keyring().newest.public_json(),
    }
