"""The installable app: its version, and what the service worker keeps for offline use."""

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for

# Field pages kept for offline use; they need a signed-in user, so the page asks the service
# worker to fetch them after sign-in rather than at install.
FIELD_PAGES = (
    "field.home",
    "field.new_contact",
    "field.new_incident",
    "field.referrals",
    "field.stock",
)
STATIC_FILES = (
    "css/app.css",
    "js/field.js",
    "js/catalog.js",
    "js/outbox.js",
    "js/sync.js",
    "js/records.js",
    "js/status.js",
    "js/pwa.js",
    "js/stock.js",
    "js/sealing.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/maskable-512.png",
)


@cache
def _files_digest(root: str) -> str:
    digest = hashlib.sha256()
    for folder in ("static", "templates", "outreach/translations"):
        for path in sorted(Path(root, folder).rglob("*")):
            if path.is_file() and path.suffix != ".mo":  # .mo: compiled from the .po
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def app_version() -> str:
    """Changes whenever a static file, template or translation changes, so phones pick up the
    new shell."""
    configured = current_app.config.get("OUTREACH_APP_VERSION")
    if configured:
        return configured
    return _files_digest(str(Path(current_app.root_path).parent))


def precache() -> dict:
    return {
        "static": [url_for("static", filename=name) for name in STATIC_FILES],
        "pages": [url_for(endpoint) for endpoint in FIELD_PAGES],
        "catalog": url_for("catalog_api.catalog"),
    }


def manifest() -> dict:
    from flask_babel import gettext as _

    return {
        "name": _("Outreach field app"),
        "short_name": _("Outreach"),
        "description": _("Log anonymous contacts, equipment, referrals and emergencies."),
        "start_url": url_for("field.home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f8fa",
        "theme_color": "#0b5f56",
        "icons": [
            {
                "src": url_for("static", filename="icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename="icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename="icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
