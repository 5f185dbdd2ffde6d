"""`make run`'s server: Werkzeug's development server on 127.0.0.1, answering without naming
its own or Python's version in the `Server` header (production runs gunicorn, which names none).

Run with `python -m outreach.devserver [PORT]`.
"""

import sys

from werkzeug.serving import WSGIRequestHandler, run_simple

from outreach import create_app


class QuietHandler(WSGIRequestHandler):
    def version_string(self) -> str:
        return "Outreach"


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    run_simple("127.0.0.1", port, create_app(), threaded=True, request_handler=QuietHandler)


if __name__ == "__main__":
    main()
