"""Administration pages (admins only), all under /admin on one blueprint: users and the audit
log (views.py), the catalog (catalog.py) and the organisation's settings (settings.py)."""

from flask import Blueprint

from outreach.admin import catalog, settings, views


def create_blueprint() -> Blueprint:
    """The admin blueprint with the pages of every admin module."""
    blueprint = Blueprint("admin", __name__, url_prefix="/admin")
    views.add_routes(blueprint)
    catalog.add_routes(blueprint)
    settings.add_routes(blueprint)
    return blueprint
