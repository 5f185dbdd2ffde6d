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


def _account(username) -> str:
    return "account:" + (username if isinstance(username, str) else "").strip().lower()[:60]


def tried_account() -> str:
    """The account name tried at a sign-in door, as sign-in finds it (trimmed, any case)."""
    try:
        data = request.get_json(silent=True) if request.is_json else request.form
    except RecursionError:  # nested too deep: the view answers 400
        data = None
    return _account(data.get("username") if isinstance(data, dict) else None)


def own_account() -> str:
    """The signed-in user's own account, whatever a form says (changing one's password)."""
    return _account(current_user.username if current_user.is_authenticated else None)


def note_failed_login() -> None:
    g.login_failed = True


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _limits(view, account):
    per_account = limiter.shared_limit(
        lambda: current_app.config["OUTREACH_LOGIN_FAILURE_LIMIT"],
        scope="login-account",
        key_func=account,
        deduct_when=_failed,
        methods=["POST"],
    )
    per_address = limiter.shared_limit(
        lambda: current_app.config["OUTREACH_LOGIN_LIMIT"], scope="login-address", methods=["POST"]
    )
    return per_address(per_account(view))


def login_limits(view):
    """Both limits, shared by every sign-in door: failures count against the name tried."""
    return _limits(view, tried_account)


def own_password_limits(view):
    """Both limits on a signed-in user's password page: a wrong current password counts
    against their own account (sending another `username` changes nothing)."""
    return _limits(view, own_account)
