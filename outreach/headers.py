"""The headers of every response: a strict Content-Security-Policy and friends, no caching of
anything that needs sign-in, and HSTS when served over HTTPS."""

from flask import request

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

# Only when served over HTTPS (OUTREACH_TLS): browsers then refuse plain HTTP for a year.
HSTS = "max-age=31536000"


def init_headers(app) -> None:
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
