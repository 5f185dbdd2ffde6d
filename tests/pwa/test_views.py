"""The installable app as the server serves it: the manifest, its icons, the service worker and
the security headers every page carries (DESIGN §5, §8)."""

import json
import re
import struct
from pathlib import Path

import pytest

from outreach.pwa import service as pwa_service

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk after the signature)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG starts with its IHDR chunk"
    return struct.unpack(">II", data[16:24])


def sw_constant(body: str, name: str):
    """The JSON value of `const NAME = ...;` in the service worker's source."""
    match = re.search(rf"^const {name} = (.+);$", body, re.MULTILINE)
    assert match, f"no {name} in /sw.js"
    return json.loads(match.group(1))


@pytest.fixture
def worker(login_as):
    return login_as("worker", sites=("AMS-DCR1", "AMS-OUT1"))


def test_manifest_makes_the_field_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"]
    assert manifest["short_name"]
    assert manifest["start_url"] == "/field"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["theme_color"])

    icons = manifest["icons"]
    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any")} <= declared
    assert any(icon.get("purpose") == "maskable" for icon in icons)
    for icon in icons:
        assert icon["type"] == "image/png"
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200, icon["src"]
        width, height = png_size(fetched.get_data())
        assert f"{width}x{height}" == icon["sizes"], icon["src"]


def test_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    with client.application.app_context():
        version = pwa_service.app_version()
    assert sw_constant(body, "VERSION") == version


def test_everything_the_service_worker_keeps_exists(client, worker):
    precache = sw_constant(client.get("/sw.js").get_data(as_text=True), "PRECACHE")
    assert precache["static"]
    for url in precache["static"]:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    # The field pages and the catalog need a signed-in user; they must answer, not redirect.
    for url in [*precache["pages"], precache["catalog"]]:
        assert worker.get(url).status_code == 200, url
    assert "/field/contacts/new" in precache["pages"]


def test_every_script_and_stylesheet_is_kept_for_offline_use(client):
    """A module missing from the precache list breaks the whole field app offline."""
    precache = sw_constant(client.get("/sw.js").get_data(as_text=True), "PRECACHE")
    kept = set(precache["static"])
    static = ROOT / "static"
    for path in [*static.glob("js/*.js"), *static.glob("css/*.css")]:
        assert f"/static/{path.relative_to(static).as_posix()}" in kept, path.name
        for imported in re.findall(r"from '\./([\w-]+\.js)'", path.read_text()):
            assert f"/static/js/{imported}" in kept, f"{path.name} imports {imported}"


def test_version_follows_the_configured_app_version(app, client):
    app.config["OUTREACH_APP_VERSION"] = "2031.1-first"
    first = client.get("/sw.js").get_data(as_text=True)
    app.config["OUTREACH_APP_VERSION"] = "2031.2-second"
    second = client.get("/sw.js").get_data(as_text=True)
    assert sw_constant(first, "VERSION") == "2031.1-first"
    assert sw_constant(second, "VERSION") == "2031.2-second"
    # The browser installs a new worker only when the script's bytes change.
    assert first != second


def test_default_version_changes_when_a_static_file_changes(tmp_path):
    """Without a configured version, any change to static files or templates is a new version."""
    digest = pwa_service._files_digest.__wrapped__
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    script = tmp_path / "static" / "js" / "field.js"
    script.write_text("console.log(1);\n")
    (tmp_path / "templates" / "base.html").write_text("<!doctype html>\n")
    before = digest(str(tmp_path))
    assert digest(str(tmp_path)) == before
    script.write_text("console.log(2);\n")
    assert digest(str(tmp_path)) != before


def test_default_version_is_the_files_digest(app, client):
    app.config.pop("OUTREACH_APP_VERSION", None)
    body = client.get("/sw.js").get_data(as_text=True)
    assert sw_constant(body, "VERSION") == pwa_service._files_digest(str(ROOT))


SIGNED_IN_PAGES = [
    "/",
    "/field",
    "/field/contacts/new",
    "/field/incidents/new",
    "/field/referrals",
    "/manifest.webmanifest",
    "/sw.js",
    "/api/v1/me",
    "/api/v1/catalog",
    "/static/js/field.js",
    "/no-such-page",
]
ANONYMOUS_PAGES = ["/login", "/", "/field", "/field/contacts/new", "/healthz", "/no-such-page"]


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages_send_a_content_security_policy(worker, url):
    response = worker.get(url)
    assert response.status_code < 500
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    response.close()


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_pages_send_a_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code < 500
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
