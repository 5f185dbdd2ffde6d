"""Who may reach what (DESIGN §1), checked on the server for every page and endpoint."""

from functools import wraps

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.errors import NotAllowed, error_response, wants_json
from outreach.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The JSON sign-in needs no token: it accepts only application/json, which a cross-site form
# cannot send, and it returns the token for what follows.
CSRF_EXEMPT_ENDPOINTS = frozenset({"auth_api.login"})


def roles_required(*roles):
    """Let through signed-in users whose role is one of `roles`; others get 401 or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if current_user.role not in roles:
                raise NotAllowed()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def unauthorized():
    """401 for the API; a redirect to the sign-in page, coming back afterwards, for people."""
    if wants_json():
        return error_response(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def protect_request():
    """Before every request: API bodies must be JSON; state changes need sign-in and CSRF token.

    Sign-in is checked before the token so that an expired session answers 401 (sign in again)
    rather than a token error.
    """
    if request.method in SAFE_METHODS or request.endpoint is None:
        return None
    # The whole body first, before anything touches the database: a phone on a slow link takes
    # a minute to upload a sync batch, and a transaction opened meanwhile (on SQLite, the write
    # lock) would be held all that time.
    request.get_data(cache=True, parse_form_data=True)
    is_api = request.path.startswith("/api/")
    if is_api and request.content_length and not request.is_json:
        return error_response(400, _("Send JSON with Content-Type: application/json."))
    if request.endpoint in CSRF_EXEMPT_ENDPOINTS:
        return None
    if is_api and not current_user.is_authenticated:
        return error_response(401)
    csrf.protect()
    return None
