"""`/manifest.webmanifest` and `/sw.js`, served from the root so the worker's scope is `/`."""

import json

from flask import Blueprint, make_response, render_template

from outreach.pwa.service import app_version, manifest, precache

bp = Blueprint("pwa", __name__)


@bp.route("/manifest.webmanifest")
def web_manifest():
    response = make_response(json.dumps(manifest(), ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
def service_worker():
    body = render_template("pwa/sw.js", version=app_version(), precache=precache())
    response = make_response(body)
    response.mimetype = "text/javascript"
    # Browsers check for a new worker on navigation; never let a cache answer for them.
    response.headers["Cache-Control"] = "no-cache"
    return response
