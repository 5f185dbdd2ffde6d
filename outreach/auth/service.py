"""Accounts and sign-in: password hashing, authentication, sessions, revocation."""

from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_login.config import COOKIE_NAME
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from outreach.audit.service import record_event
from outreach.auth.limits import note_failed_login
from outreach.auth.models import User, UserSession
from outreach.auth.passwords import password_problems
from outreach.auth.sessions import end_expired_sessions, end_session, end_sessions, start_session
from outreach.catalog.models import Site
from outreach.catalog.vocabulary import ROLES
from outreach.errors import InvalidInput, NotFound
from outreach.extensions import db
from outreach.fields import clean_text, has_control_characters, has_forbidden_characters

# Checked against when the username is unknown, so both failures take the same time.
_UNKNOWN_USER_HASH = generate_password_hash("not a real password")


def check_password_rules(password: str, username: str = "") -> None:
    """Raise InvalidInput (field `password`) for a password too short or too easy to guess
    (outreach.auth.passwords), saying why."""
    problems = password_problems(password, username)
    if problems:
        raise InvalidInput(errors={"password": problems})


def find_user(username: str) -> User | None:
    if has_control_characters(username):
        return None
    return db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def create_user(
    username: str,
    password: str,
    role: str = "worker",
    site_codes=(),
    check_rules=True,
    actor=None,
) -> User:
    """Add a user with a hashed password and site memberships (audited; `actor` is the admin,
    None for the command line)."""
    username = clean_text(username)
    errors = {}
    if not username or len(username) > 60 or has_control_characters(username):
        errors["username"] = [_("A username has 1 to 60 characters.")]
    elif find_user(username) is not None:
        errors["username"] = [_("This username is taken.")]
    if role not in ROLES:
        errors["role"] = [_("Unknown role.")]
    sites = []
    try:
        sites = _sites_with_codes(site_codes)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if check_rules:
        try:
            check_password_rules(password, username)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    user = User(
        username=username, password_hash=generate_password_hash(password), role=role, sites=sites
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        "user_created",
        actor,
        target=f"user:{username}",
        detail=f"role {role}; sites {', '.join(site.code for site in sites) or '-'}",
    )
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; unknown users cost the same time."""
    user = find_user(username or "")
    # A password no encoding can hold (a lone surrogate from JSON) is simply wrong.
    password = "" if has_forbidden_characters(password or "") else password or ""
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def sign_in(username: str, password: str, remember: bool = False) -> User | None:
    """Authenticate and start a fresh session (never reusing the old one); audit either way."""
    user = authenticate(username, password)
    if user is None:
        note_failed_login()  # counts towards the account name's lock
        # Only a name that is an account's: a typo could be a password typed in the wrong box.
        account = find_user(username or "")
        record_event("login_failed", target=f"user:{account.username}" if account else "unknown")
        return None
    sign_in_as(user, remember)
    record_event("login", user)
    return user


# The key of PostgreSQL's advisory lock held while the first admin is made.
FIRST_RUN_LOCK = 7_211_001


def needs_first_admin() -> bool:
    """True while the database has no user at all: a new organisation, set up at /setup."""
    return db.session.execute(select(User.id).limit(1)).first() is None


def set_up_first_admin(username: str, password: str, repeated: str) -> User:
    """The first user of a new organisation, an admin, signed in at once. NotFound once any
    user exists, so this door closes for good; InvalidInput with field messages otherwise.

    Two at once make one admin: the second waits for the first to commit, then finds a user.
    SQLite's write lock, taken at the first statement, does that; PostgreSQL needs a lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(FIRST_RUN_LOCK)))
    if not needs_first_admin():
        raise NotFound(_("This organisation is set up already."))
    if password != repeated:
        raise InvalidInput(errors={"repeated": [_("The two passwords differ.")]})
    user = create_user(username, password, "admin")
    sign_in_as(user)
    record_event("login", user)
    return user


def sign_in_as(user: User, remember: bool = False) -> None:
    """Start a fresh session for a user whose password was just checked or set. Whoever was
    signed in on this browser before (another worker on a shared phone) is signed out."""
    if current_user.is_authenticated:
        end_session(current_user.session)
    # A new session, so a session planted before sign-in cannot be taken over after it.
    session.clear()
    end_expired_sessions()
    start_session(user, remember)
    # A remember-me cookie left by someone before must not sign them in here again.
    left_behind = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
    if not remember and left_behind:
        session["_remember"] = "clear"
    # The new session's CSRF token goes out with this answer: otherwise the requests a page
    # makes at once after sign-in would each make one, and all but the last would be refused.
    g.pop("csrf_token", None)
    generate_csrf()


def sign_out(user) -> None:
    """End this browser's session on the server, and its cookies."""
    if user.is_authenticated:
        record_event("logout", user)
        end_session(user.session)
    # Clear first: logout_user leaves a mark in the session that deletes the remember-me cookie.
    session.clear()
    logout_user()


def _sites_with_codes(site_codes) -> list[Site]:
    """The sites of these codes; InvalidInput (field `sites`) naming any unknown code."""
    storable = [code for code in site_codes if not has_forbidden_characters(code)]
    sites = list(db.session.execute(select(Site).where(Site.code.in_(storable))).scalars())
    missing = set(site_codes) - {site.code for site in sites}
    if missing:
        raise InvalidInput(
            errors={"sites": [_("Unknown site: %(codes)s.", codes=", ".join(sorted(missing)))]}
        )
    return sites


def change_user(user, role: str, site_codes, actor) -> None:
    """Give a user another role or other sites (audited); the next request uses them."""
    if role not in ROLES:
        raise InvalidInput(errors={"role": [_("Unknown role.")]})
    if user.id == actor.id and role != user.role:
        raise InvalidInput(errors={"role": [_("You cannot change your own role.")]})
    sites = _sites_with_codes(site_codes)
    before = (user.role, sorted(site.code for site in user.sites))
    user.role, user.sites = role, sites
    after = (role, sorted(site.code for site in sites))
    if after != before:
        record_event(
            "user_changed",
            actor,
            target=f"user:{user.username}",
            detail=f"role {role}; sites {', '.join(after[1]) or '-'}",
        )


def update_user(user, role: str, site_codes, password: str | None, actor) -> None:
    """An admin's changes to a user: role and sites, and a new password if one is given (which
    signs them out everywhere); InvalidInput naming every field that is wrong."""
    errors = {}
    try:
        change_user(user, role, site_codes, actor)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if password:
        try:
            reset_password(user, password, actor)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)


def reset_password(user, password: str, actor) -> None:
    """Set a new password (the rules apply) and sign the user out everywhere (audited)."""
    check_password_rules(password, user.username)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    record_event("password_reset", actor, target=f"user:{user.username}")


def change_own_password(user, current: str, new: str, repeated: str) -> None:
    """A user's own new password (the rules apply): the current one must be given, and every
    other device is signed out while this one stays signed in (audited). InvalidInput with
    field messages otherwise; a wrong current password counts towards the sign-in lock."""
    if not check_password_hash(user.password_hash, current or ""):
        note_failed_login()
        raise InvalidInput(errors={"current": [_("This is not your current password.")]})
    if new != repeated:
        raise InvalidInput(errors={"repeated": [_("The two passwords differ.")]})
    check_password_rules(new, user.username)
    user.password_hash = generate_password_hash(new)
    remember = user.session.remember
    end_sessions(user)
    sign_in_as(user, remember)
    record_event("password_changed", user, target=f"user:{user.username}")


def revoke_sessions(user, actor) -> None:
    """Sign a user out on every device: their cookies stop working at the next request."""
    end_sessions(user)
    record_event("sessions_revoked", actor, target=f"user:{user.username}")


def sign_out_device(user_session: UserSession, actor) -> None:
    """Sign one device out (a lost phone), leaving the user's other devices signed in."""
    end_session(user_session)
    record_event(
        "session_ended",
        actor,
        target=f"user:{user_session.user.username}",
        detail=user_session.device,
    )


def find_session(user, session_id: int) -> UserSession:
    """One of the user's open sessions; NotFound otherwise (also for another user's)."""
    user_session = db.session.get(UserSession, session_id)
    if user_session is None or user_session.user_id != user.id:
        raise NotFound(_("This device is not signed in (any more)."))
    return user_session


def set_active(user, active: bool, actor) -> None:
    """Deactivate (every session ends: reactivating brings none back) or activate again."""
    user.active = active
    if not active:
        end_sessions(user)
    record_event(
        "user_activated" if active else "user_deactivated", actor, target=f"user:{user.username}"
    )


def set_language(user, language: str) -> None:
    """The user's own language ("nl", "en"), or "" to follow the browser."""
    if language not in ("", *current_app.config["OUTREACH_LANGUAGES"]):
        raise InvalidInput(errors={"language": [_("Unknown language.")]})
    user.language = language or None
