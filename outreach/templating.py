"""What every template has: the user's language, the field app's messages, the catalog version,
the limits of every form, and dates in the organisation's time zone."""

from flask import request
from flask_babel import format_date, format_datetime
from flask_login import current_user

from outreach import limits
from outreach.catalog.service import catalog_version, sites_for
from outreach.field.messages import js_messages
from outreach.languages import current_language
from outreach.sealing.keys import keyring
from outreach.timekeeping import organisation_zone

# Sent by the service worker when it fetches a field page to keep for offline use.
OFFLINE_COPY_HEADER = "Outreach-Offline-Copy"


def init_templating(app) -> None:
    app.jinja_env.globals["js_messages"] = js_messages
    # The field pages carry the catalog version they were made with (see static/js/catalog.js),
    app.jinja_env.globals["catalog_version"] = lambda: catalog_version(current_user)
    # the user's sites, whose stock the phone keeps (see static/js/stock.js),
    app.jinja_env.globals["catalog_sites"] = lambda: [site.code for site in sites_for(current_user)]
    # and the key the phone seals records to (see static/js/sealing.js).
    app.jinja_env.globals["seal_key"] = lambda: keyring().newest.public_json()
    # Forms take their min, max and maxlength from here, never by hand.
    app.jinja_env.globals["limits"] = limits

    @app.context_processor
    def language():
        return {"current_language": current_language()}

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
