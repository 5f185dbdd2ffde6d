"""A phone on a slow link takes a minute to upload a batch. The server reads the whole body
before it touches the database, so nothing is held meanwhile: other phones are answered at once
(on SQLite, the write lock taken by the first query would otherwise wait for the upload)."""

import json
import socket
import threading
from http.client import HTTPConnection

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD


@pytest.fixture
def port(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def sign_in(port, username) -> dict[str, str]:
    """The headers of a phone signed in as `username`: its session cookie and CSRF token."""
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        "/api/v1/auth/login",
        body=json.dumps({"username": username, "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    token = json.loads(response.read())["csrf_token"]
    cookies = [header.split(";")[0] for header in response.msg.get_all("Set-Cookie")]
    connection.close()
    return {
        "Cookie": "; ".join(cookies),
        "X-CSRFToken": token,
        "Content-Type": "application/json",
    }


def test_a_slow_upload_holds_up_no_other_phone(port, make_user, make_contact):
    slow_phone = sign_in(port, make_user("worker"))
    other_phone = sign_in(port, make_user("worker"))
    body = json.dumps({"contacts": [make_contact()]}).encode()

    # The slow phone has sent its headers and the first bytes of its batch; the rest is slow.
    upload = socket.create_connection(("127.0.0.1", port), timeout=30)
    headers = "".join(f"{name}: {value}\r\n" for name, value in slow_phone.items())
    upload.sendall(
        f"POST /api/v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[:100]
    )
    threading.Event().wait(0.5)  # the server has the request in hand

    # Meanwhile another phone syncs, and is answered while the first upload still goes on.
    other = HTTPConnection("127.0.0.1", port, timeout=20)
    other.request(
        "POST", "/api/v1/sync", body=json.dumps({"contacts": [make_contact()]}), headers=other_phone
    )
    answer = other.getresponse()
    assert answer.status == 200
    assert [result["status"] for result in json.loads(answer.read())["results"]] == ["created"]

    upload.sendall(body[100:])
    reply = b""
    while chunk := upload.recv(65536):
        reply += chunk
    upload.close()
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.split()[1] == b"200", reply
    assert b'"status": "created"' in rest or b'"status":"created"' in rest
