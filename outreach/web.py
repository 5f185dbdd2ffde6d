"""What every HTML page shares: template helpers and the security headers of every response."""

from flask import request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from outreach.catalog.service import catalog_version
from outreach.field.messages import js_messages
from outreach.settings import default_language
from outreach.timekeeping import organisation_zone

SECURITY_HEADERS = {
    # No inline scripts anywhere: every script is a file under /static.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Sent by the service worker when it fetches a field page to keep for offline use.
OFFLINE_COPY_HEADER = "Outreach-Offline-Copy"

# Only when served over HTTPS (OUTREACH_TLS): browsers then refuse plain HTTP for a year.
HSTS = "max-age=31536000"


class RowId(IntegerConverter):
    """`<row_id:name>`: a row's id in a URL. Beyond what the database holds, the URL matches no
    route (404), rather than failing in the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def init_web(app) -> None:
    app.jinja_env.globals["js_messages"] = js_messages
    # The field pages carry the catalog version they were made with (see static/js/catalog.js).
    app.jinja_env.globals["catalog_version"] = lambda: catalog_version(current_user)

    @app.context_processor
    def language():
        return {"current_language": str(get_locale() or default_language())}

    @app.context_processor
    def offline_copy():
        """True when the service worker fetches a page to keep on the phone: such a copy
        leaves out client aliases and the organisations referred to (templates/pwa/sw.js)."""
        return {"offline_copy": request.headers.get(OFFLINE_COPY_HEADER) == "1"}

    @app.template_filter("localdate")
    def localdate(value):
        return format_date(value.astimezone(organisation_zone()), "medium")

    @app.template_filter("localtime")
    def localtime(value):
        return format_datetime(value.astimezone(organisation_zone()), "medium")

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Nothing a browser or a proxy keeps of what needs sign-in (pages, JSON, exports): only
        # the service worker keeps what it chooses. Static files and the PWA's own are public.
        if request.endpoint != "static" and request.blueprint != "pwa":
            response.headers["Cache-Control"] = "no-store"
        if app.config["OUTREACH_TLS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
