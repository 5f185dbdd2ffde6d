"""Sessions kept on the server: one row per signed-in browser or phone (DESIGN §1).

The session cookie, and the remember-me cookie of "Keep me signed in on this phone", carry a
random key made at each sign-in; the server keeps its hash with the user, the device and when
it was last seen. A session ends when its row is deleted: signing out, a password change,
signing the device out, deactivating the account, or not being used for longer than its
lifetime (`PERMANENT_SESSION_LIFETIME`, or `REMEMBER_COOKIE_DURATION` when remembered). A
remember-me cookie gets a new key each time it signs a browser in again.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from flask_login import login_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from outreach.auth.models import User, UserSession
from outreach.extensions import db
from outreach.timekeeping import now

# Last seen is written at most this often, after the request.
SEEN_EVERY = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime(user_session: UserSession) -> timedelta:
    config = current_app.config
    return (
        config["REMEMBER_COOKIE_DURATION"]
        if user_session.remember
        else config["PERMANENT_SESSION_LIFETIME"]
    )


def start_session(user: User, remember: bool = False) -> UserSession:
    """A new session for a user whose password was just checked, signed in on this request."""
    key = secrets.token_urlsafe(32)
    user_agent = request.headers.get("User-Agent", "") if has_request_context() else ""
    user_session = UserSession(
        user=user, key_hash=_hash(key), device=describe_device(user_agent), remember=remember
    )
    db.session.add(user_session)
    db.session.flush()
    user.session, user.session_key = user_session, key
    login_user(user, remember=remember)
    return user_session


def load_user(key: str) -> User | None:
    """Flask-Login's loader: the user of the session with this key, if it is still open."""
    if not isinstance(key, str) or not key:
        return None
    user_session = db.session.execute(
        select(UserSession).where(UserSession.key_hash == _hash(key))
    ).scalar_one_or_none()
    if user_session is None:
        return None
    user = user_session.user
    moment = now()
    if not user.active or user_session.last_seen_at + lifetime(user_session) < moment:
        g.session_changes = ("end", user_session.id)
        return None
    if moment - user_session.last_seen_at > SEEN_EVERY:
        g.session_changes = ("seen", user_session.id)
        # Signed again, so the cookie's own age (PERMANENT_SESSION_LIFETIME) also counts from
        # the last use, as the session's does, not from signing in.
        session.modified = True
    user.session, user.session_key = user_session, key
    return user


def renew_key(_app, user: User) -> None:
    """A remember-me cookie signed a browser in again: its session gets a new key, and the
    browser new cookies (Flask-Login's `user_loaded_from_cookie`)."""
    key = secrets.token_urlsafe(32)
    g.session_changes = ("renew", user.session.id, _hash(key))
    user.session_key = key
    session["_user_id"] = key
    session["_remember"] = "set"


def write_session_changes(_exception=None) -> None:
    """After the request, in a transaction of its own (the request's is over by then, committed
    or not): end an expired session, or note a session's use or its new key."""
    change = g.pop("session_changes", None)
    if change is None:
        return
    what, session_id, *key_hash = change
    db.session.remove()
    row = UserSession.id == session_id
    if what == "end":
        statement = delete(UserSession).where(row)
    else:
        values = {"last_seen_at": now()}
        if what == "renew":
            values["key_hash"] = key_hash[0]
        statement = update(UserSession).where(row).values(**values)
    try:
        db.session.execute(statement)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("Could not write a session's change (%s).", what)
    finally:
        db.session.remove()


def sessions_of(user: User) -> list[UserSession]:
    """A user's open sessions, the most recently used first."""
    return list(
        db.session.execute(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).scalars()
    )


def end_session(user_session: UserSession) -> None:
    """End one session (nothing happens if it has ended already)."""
    db.session.execute(delete(UserSession).where(UserSession.id == user_session.id))


def end_sessions(user: User, keep: UserSession | None = None) -> int:
    """End every session of a user (but `keep`); how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query).rowcount


def end_expired_sessions() -> int:
    """Delete the sessions nobody has used for longer than they last."""
    config = current_app.config
    moment = now()
    return db.session.execute(
        delete(UserSession).where(
            (
                UserSession.remember
                & (UserSession.last_seen_at < moment - config["REMEMBER_COOKIE_DURATION"])
            )
            | (
                ~UserSession.remember
                & (UserSession.last_seen_at < moment - config["PERMANENT_SESSION_LIFETIME"])
            )
        )
    ).rowcount


_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("SamsungBrowser/", "Samsung Internet"),
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)


def describe_device(user_agent: str) -> str:
    """ "Android · Chrome" and the like: enough for a worker to tell their phone from their
    laptop, and nothing more."""
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    return " · ".join(part for part in (system, browser) if part) or "?"
