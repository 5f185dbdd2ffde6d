"""Rate limits on signing in (Flask-Limiter), on both doors (`/login` and the JSON API):

- per address: every attempt counts (`OUTREACH_LOGIN_LIMIT`);
- per account name: only failures count (`OUTREACH_LOGIN_FAILURE_LIMIT`), so repeated wrong
  passwords lock the name for a while, even for the right password. Names that are no account
  lock the same way, so the lock tells nobody which accounts exist.

Beyond a limit the answer is 429 with `Retry-After`. The counters live in
`OUTREACH_RATELIMIT_STORAGE_URI`: memory for one process, Redis when there are several.
"""

from flask import current_app, g, request
from flask_login import current_user

from outreach.extensions import limiter


def account_key() -> str:
    """The account name tried, as sign-in finds it (trimmed, any case); on a signed-in user's
    own page (changing their password) their own."""
    try:
        data = request.get_json(silent=True) if request.is_json else request.form
    except RecursionError:  # nested too deep: the view answers 400
        data = None
    username = data.get("username") if isinstance(data, dict) else None
    if username is None and current_user.is_authenticated:
        username = current_user.username
    return "account:" + (username if isinstance(username, str) else "").strip().lower()[:60]


def note_failed_login() -> None:
    g.login_failed = True


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def login_limits(view):
    """Both limits, shared by every sign-in route."""
    per_account = limiter.shared_limit(
        lambda: current_app.config["OUTREACH_LOGIN_FAILURE_LIMIT"],
        scope="login-account",
        key_func=account_key,
        deduct_when=_failed,
        methods=["POST"],
    )
    per_address = limiter.shared_limit(
        lambda: current_app.config["OUTREACH_LOGIN_LIMIT"], scope="login-address", methods=["POST"]
    )
    return per_address(per_account(view))
