"""Weight of the field shell: HTML, CSS and JavaScript of /field/contacts/new, gzip-compressed.

Budget (issue 3): at most 60 KB in total. Run with `make bench`.
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

from flask_migrate import upgrade

from outreach import create_app
from outreach.auth.service import create_user
from outreach.catalog.defaults import seed_catalog
from outreach.demo import seed_sites
from outreach.extensions import db

BUDGET = 60 * 1024
IMPORT = re.compile(r"""(?:import|from)\s*(?:[\w*{}\s,]+from\s*)?['"](\./[\w./-]+\.js)['"]""")


def module_graph(client, url: str, seen: dict) -> None:
    """Fetch a module and, depth first, every module it imports."""
    if url in seen:
        return
    body = client.get(url).data
    seen[url] = body
    folder = url.rsplit("/", 1)[0]
    for relative in IMPORT.findall(body.decode()):
        module_graph(client, f"{folder}/{relative[2:]}", seen)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}"})
        with app.app_context():
            upgrade()
            seed_catalog()
            seed_sites()
            create_user("bench", "shell weight 2026", "worker", ["AMS-DCR1", "AMS-OUT1"])
            db.session.commit()
            client = app.test_client()
            response = client.post(
                "/api/v1/auth/login", json={"username": "bench", "password": "shell weight 2026"}
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            page = client.get("/field/contacts/new")
            assert page.status_code == 200
            html = page.get_data(as_text=True)
            files = {"/field/contacts/new (HTML)": page.data}
            for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
                files[href] = client.get(href).data
            modules: dict[str, bytes] = {}
            for src in re.findall(r'<script type="module" src="([^"]+)"', html):
                module_graph(client, src, modules)
            files.update(modules)
            db.engine.dispose()

    total_raw = total_gzip = 0
    print(f"{'file':<40} {'bytes':>8} {'gzip':>8}")
    for name, body in files.items():
        packed = len(gzip.compress(body, compresslevel=6))
        total_raw += len(body)
        total_gzip += packed
        print(f"{name:<40} {len(body):>8} {packed:>8}")
    print(f"{'total':<40} {total_raw:>8} {total_gzip:>8}")
    share = total_gzip / BUDGET
    print(f"field shell: {total_gzip / 1024:.1f} KB gzip of a 60 KB budget ({share:.0%})")
    return 0 if total_gzip <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
