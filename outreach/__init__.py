"""Outreach: field software for harm-reduction teams."""

import logging
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user, user_loaded_from_cookie
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from outreach.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from outreach.languages import format_locale
from outreach.settings import default_language, time_zone
from outreach.urls import RowId

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    """The locale of the user's own language, else the browser's, else the organisation's
    default (`en_GB` for English: outreach/languages.py)."""
    return format_locale(_language())


def _language() -> str:
    languages = current_app.config["OUTREACH_LANGUAGES"]
    if not has_request_context():  # commands and scripts
        return default_language()
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or _organisation_setting(
        default_language, "BABEL_DEFAULT_LOCALE"
    )


def select_time_zone() -> str:
    """The organisation's time zone, for the dates Flask-Babel formats."""
    return _organisation_setting(time_zone, "OUTREACH_TIMEZONE")


def _organisation_setting(read, configured: str) -> str:
    """A setting for showing a page; the configured one when the database cannot say, so that
    the error page of a request that failed on the database still shows."""
    try:
        return read()
    except SQLAlchemyError:
        return current_app.config[configured]


def create_app(config=None) -> Flask:
    """Build the app. `config` is a config class or a mapping laid over the defaults."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object("config.Config")
    if config is None:
        app.config.from_pyfile("config.py", silent=True)
    elif isinstance(config, dict):
        app.config.from_object("config.TestingConfig")
        app.config.update(config)
    else:
        app.config.from_object(config)
    for name in ("SECRET_KEY", "OUTREACH_CLIENT_KEY"):
        if not app.config.get(name):
            raise RuntimeError(
                f"{name} is not set: set OUTREACH_{name.removeprefix('OUTREACH_')} "
                "or run `make run` once to create instance/config.py."
            )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    if app.config["OUTREACH_TLS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if app.config["OUTREACH_PROXIES"]:
        proxies = app.config["OUTREACH_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.url_map.converters["row_id"] = RowId
    _init_extensions(app)
    _register_blueprints(app)
    return app


def _init_extensions(app: Flask) -> None:
    from outreach.apiblueprint import document_outreach_fields
    from outreach.auth.access import protect_request, unauthorized
    from outreach.auth.sessions import load_user, renew_key, write_session_changes
    from outreach.database import configure_sqlite
    from outreach.errors import register_error_handlers
    from outreach.headers import init_headers
    from outreach.sealing.keys import init_app as init_sealing
    from outreach.templating import init_templating

    init_sealing(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    user_loaded_from_cookie.connect(renew_key, app)
    app.teardown_appcontext(write_session_changes)
    csrf.init_app(app)
    limiter.init_app(app)
    # Dates are shown in the organisation's time zone, which an admin may change.
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    api.init_app(app)
    document_outreach_fields(api)
    # After api.init_app, whose own HTTP error handler would answer JSON to pages too.
    register_error_handlers(app)
    app.before_request(protect_request)
    init_templating(app)
    init_headers(app)


def _register_blueprints(app: Flask) -> None:
    from outreach import health
    from outreach.admin import create_blueprint as create_admin_blueprint
    from outreach.auth import api as auth_api
    from outreach.auth import views as auth_views
    from outreach.catalog import api as catalog_api
    from outreach.exports import api as exports_api
    from outreach.exports import views as exports_views
    from outreach.field import views as field_views
    from outreach.ingest import api as ingest_api
    from outreach.pwa import views as pwa_views
    from outreach.records import api as records_api
    from outreach.reports import api as reports_api
    from outreach.reports import views as reports_views
    from outreach.supplies import api as supplies_api
    from outreach.supplies import views as supplies_views
    from outreach.sync import api as sync_api

    app.register_blueprint(create_admin_blueprint())
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(field_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(pwa_views.bp)
    app.register_blueprint(reports_views.bp)
    app.register_blueprint(supplies_views.bp)
    app.register_blueprint(exports_views.bp)
    for blueprint in (
        auth_api.blp,
        catalog_api.blp,
        sync_api.blp,
        records_api.blp,
        ingest_api.blp,
        reports_api.blp,
        exports_api.blp,
        supplies_api.blp,
    ):
        api.register_blueprint(blueprint)

    from outreach import cli

    cli.register(app)
