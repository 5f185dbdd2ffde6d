"""Load test: phones syncing to gunicorn on PostgreSQL while a worker is killed.

What it does, with the defaults:

1. makes a fresh schema `outreach_load` in OUTREACH_LOAD_DATABASE_URL (default
   postgresql+psycopg://outreach:outreach@127.0.0.1:5432/outreach_load), migrates it and seeds
   the catalog, the four demo sites and one worker login per phone;
2. starts gunicorn with 4 sync workers on a free port of 127.0.0.1;
3. runs 50 phones (threads) for 120 s, counted from when all have signed in (once each). Each
   loops: a random pause of 2 s on average (`--pause S`; before the first sync too, so phones
   do not start in step), then 1 to 50 new contacts go into its outbox and the outbox is
   synced (at most 100 records, as the app does).
   5% of requests resend a batch already acknowledged (every record must come back
   `duplicate`); 1% are cut off right after sending (the socket is closed unread, so those
   records stay in the outbox and go again later). A record leaves the outbox only when it is
   answered `created` or `duplicate`;
4. 60 s in, kills one gunicorn worker with SIGKILL (the master starts another);
5. after the 120 s, each phone sends what is left in its outbox, and the database is checked:
   every acknowledged contact is stored, nothing is stored twice, the monthly roll-ups count
   each contact once.

Prints requests, contacts stored per second, latency percentiles (p50/p95/p99 of answered
requests) overall and per 20 s, every error with its time from the kill, the `Server` header,
and the load average (the machine may be busy with other work). Goal (issue): p95 under 300 ms
on a 2-core machine.

Why a pause: the field app syncs when a contact is saved and once a minute. A phone syncing
up to 50 contacts every 2 s (about 600 contacts a second from 50 phones) is far beyond what
people can log by hand, and it leaves the server headroom even when this shared machine is
slow, so the latency measured is the server's. With `--pause 0` the phones send again the
moment they are answered and keep the server saturated; latency is then mostly time in
gunicorn's queue (Little's law: phones / requests per second), and the figure to read is the
throughput.

Run with `make load` (installs gunicorn, starts the local PostgreSQL), or
`.venv/bin/python bench/load.py [--phones N] [--seconds S] [--workers W] [--pause S]`.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from field_records import SITE_CODES, ContactMaker
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from outreach import create_app
from outreach.auth.service import create_user
from outreach.catalog.defaults import seed_catalog
from outreach.demo import seed_sites
from outreach.extensions import db
from outreach.sealing.keys import new_pem

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://outreach:outreach@127.0.0.1:5432/outreach_load"
SCHEMA = "outreach_load"
PASSWORD = "correct horse battery staple"
SECRETS = {
    "OUTREACH_SECRET_KEY": "load test",
    "OUTREACH_CLIENT_KEY": "load test",
    "OUTREACH_SEAL_KEY": new_pem().decode(),
}
OUTBOX_BATCH = 100  # what static/js/sync.js sends at most per request
RESEND_SHARE = 0.05
CUT_OFF_SHARE = 0.01
KILL_WINDOW_SECONDS = 10  # errors this long after the kill are blamed on it
GOAL_P95_MS = 300
PAUSE_SECONDS = 2.0  # a phone's mean pause between syncs; see the module's docstring


# The database


def schema_url(url: str) -> str:
    """The URL with the load test's own schema first on the search path."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{SCHEMA}"


def fresh_schema(url: str) -> str:
    """Drop and make the load test's schema; returns the URL that works in it."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return schema_url(url)


def migrate_and_seed(url: str, phones: int) -> list[tuple[str, str]]:
    """Migrate, seed catalog and sites, and make one worker per phone at one of the sites.

    Returns (username, site code) per phone.
    """
    app = create_app(
        {"SECRET_KEY": "seed", "OUTREACH_CLIENT_KEY": "seed", "SQLALCHEMY_DATABASE_URI": url}
    )
    logins = [
        (f"phone{number:02d}", SITE_CODES[number % len(SITE_CODES)]) for number in range(phones)
    ]
    with app.app_context():
        upgrade()
        seed_catalog()
        seed_sites()
        for username, site in logins:
            create_user(username, PASSWORD, "worker", [site])
        db.session.commit()
        db.engine.dispose()
    return logins


# The server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        **SECRETS,
        "OUTREACH_DATABASE_URL": url,
        # One sign-in per phone, all from 127.0.0.1: the per-address limit would refuse most.
        "OUTREACH_LOGIN_LIMIT": "1000 per minute",
        "OUTREACH_RATELIMIT_STORAGE_URI": "memory://",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers", str(workers),
        "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
        "outreach:create_app()",
    ]  # fmt: skip
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after the last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == master:
            children.append(int(entry.name))
    return sorted(children)


class Clock:
    """The test's time, started once every phone has signed in."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.started = self.deadline = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds

    def now(self) -> float:
        return time.monotonic() - self.started

    def running(self) -> bool:
        return time.monotonic() < self.deadline


@dataclass
class Kill:
    pid: int = 0
    at: float = 0.0  # seconds since the phones started
    replaced_after: float | None = None  # seconds from the kill until a new worker was there


def kill_one_worker(master: int, clock: Clock, kill: Kill) -> None:
    """SIGKILL one worker and note when the master has started its replacement."""
    before = worker_pids(master)
    kill.pid = random.choice(before)
    os.kill(kill.pid, signal.SIGKILL)
    kill.at = clock.now()
    for _tick in range(300):
        time.sleep(0.05)
        if set(worker_pids(master)) - set(before):
            kill.replaced_after = clock.now() - kill.at
            return


# The phones


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: dict | None


@dataclass
class Exchange:
    """One request of a phone, as the phone saw it."""

    kind: str  # "sync", "resend", "cut_off" or "drain"
    started: float  # seconds since the phones started
    ended: float = 0.0  # when the answer was read, the connection broke or the phone hung up
    seconds: float | None = None  # None when no answer was read
    status: int | None = None
    error: str | None = None
    created: int = 0


class Phone(threading.Thread):
    """A worker's phone: an outbox of contacts, synced in a loop until the deadline."""

    def __init__(self, port, username, site, seed, clock: Clock, all_signed_in, pause):
        super().__init__(name=username, daemon=True)
        self.port, self.username = port, username
        self.maker = ContactMaker(seed=seed, sites=[site])
        self.rng = random.Random(seed)
        self.clock, self.all_signed_in, self.pause = clock, all_signed_in, pause
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""
        self.outbox: dict[str, dict] = {}  # id -> contact, oldest first
        self.acknowledged_batches: list[list[dict]] = []
        self.made: set[str] = set()
        self.acknowledged: set[str] = set()
        self.exchanges: list[Exchange] = []
        self.surprises: list[str] = []  # answers that should never happen
        self.server_header: str | None = None

    # HTTP

    def post(self, path: str, body: dict, read: bool = True) -> Answer | None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf_token}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request("POST", path, body=json.dumps(body), headers=headers)
            if not read:
                return None  # hung up: the server may or may not store it; we never know
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        is_json = response.headers.get_content_type() == "application/json"
        return Answer(response.status, response.headers, json.loads(payload) if is_json else None)

    def sign_in(self) -> None:
        answer = self.post("/api/v1/auth/login", {"username": self.username, "password": PASSWORD})
        if answer.status != 200:
            raise RuntimeError(f"{self.username}: sign-in answered {answer.status}")
        self.csrf_token = answer.body["csrf_token"]
        self.server_header = answer.headers.get("Server")

    # Syncing

    def sync(self, contacts: list[dict], kind: str) -> None:
        exchange = Exchange(kind=kind, started=self.clock.now())
        self.exchanges.append(exchange)
        clock = time.monotonic()
        try:
            answer = self.post("/api/v1/sync", {"contacts": contacts}, read=kind != "cut_off")
        except (OSError, http.client.HTTPException) as exc:
            exchange.error = type(exc).__name__
            return
        finally:
            exchange.ended = self.clock.now()
        if answer is None:
            return
        exchange.seconds = time.monotonic() - clock
        exchange.status = answer.status
        if answer.status != 200 or answer.body is None:
            return
        for result in answer.body["results"]:
            self.note_result(result, kind, exchange)
        if kind != "resend":
            self.acknowledged_batches.append(contacts)

    def note_result(self, result: dict, kind: str, exchange: Exchange) -> None:
        record_id, status = result["id"], result["status"]
        if status in ("created", "duplicate"):
            self.acknowledged.add(record_id)
            self.outbox.pop(record_id, None)
            exchange.created += status == "created"
            if kind == "resend" and status == "created":
                self.surprises.append(f"{record_id} acknowledged before, yet created again")
        else:
            self.surprises.append(f"{record_id}: {status} {result.get('errors') or ''}")

    def step(self) -> None:
        """One request: usually new contacts plus the outbox, sometimes a resend or a cut-off."""
        roll = self.rng.random()
        if roll < RESEND_SHARE and self.acknowledged_batches:
            self.sync(self.rng.choice(self.acknowledged_batches), "resend")
            return
        for contact in self.maker.batch(self.rng.randint(1, 50)):
            self.outbox[contact["id"]] = contact
            self.made.add(contact["id"])
        batch = list(self.outbox.values())[:OUTBOX_BATCH]
        self.sync(batch, "cut_off" if roll > 1 - CUT_OFF_SHARE else "sync")

    def run(self) -> None:
        try:
            self.sign_in()
        except Exception as exc:  # a crashed phone is reported, not hidden
            self.surprises.append(f"sign-in failed: {exc!r}")
        self.all_signed_in.wait()
        if self.surprises:
            return
        try:
            while self.clock.running():
                if self.pause:  # before the first sync too: phones do not start in step
                    time.sleep(self.rng.uniform(0, 2 * self.pause))
                    if not self.clock.running():
                        break
                self.step()
        except Exception as exc:
            self.surprises.append(f"phone stopped: {exc!r}")

    def drain(self, attempts: int = 20) -> None:
        """After the test: send what is left in the outbox until it is empty."""
        for _attempt in range(attempts):
            if not self.outbox:
                return
            self.sync(list(self.outbox.values())[:OUTBOX_BATCH], "drain")


# Checking and reporting


def check_database(url: str, phones: list[Phone]) -> dict:
    """What is stored, against what the phones were told."""
    engine = create_engine(url)
    with engine.connect() as connection:

        def scalar(statement):
            return connection.execute(text(statement)).scalar_one()

        stored = {str(row[0]) for row in connection.execute(text("SELECT id FROM contacts"))}
        facts = {
            "contacts": scalar("SELECT count(*) FROM contacts"),
            "distinct contact ids": scalar("SELECT count(DISTINCT id) FROM contacts"),
            "referrals": scalar("SELECT count(*) FROM referrals"),
            "distinct referral ids": scalar("SELECT count(DISTINCT id) FROM referrals"),
            "clients": scalar("SELECT count(*) FROM clients"),
            "distinct client keys": scalar("SELECT count(DISTINCT key) FROM clients"),
            "contacts in the roll-ups": scalar(
                "SELECT coalesce(sum(value), 0) FROM monthly_counts "
                "WHERE indicator = 'contacts' AND breakdown = ''"
            ),
        }
    engine.dispose()
    acknowledged = set().union(*(phone.acknowledged for phone in phones))
    made = set().union(*(phone.made for phone in phones))
    facts["acknowledged but not stored (lost)"] = len(acknowledged - stored)
    facts["stored but never made (phantom)"] = len(stored - made)
    facts["made, never acknowledged"] = len(made - acknowledged)
    return facts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(phones, seconds, kill: Kill, loads, facts, server_log: Path) -> None:
    during = [e for phone in phones for e in phone.exchanges if e.kind != "drain"]
    answered = [e for e in during if e.seconds is not None]
    latencies = [e.seconds * 1000 for e in answered]
    created = sum(e.created for e in during)
    kinds = {kind: sum(e.kind == kind for e in during) for kind in ("sync", "resend", "cut_off")}
    print(f"\nrequests: {len(during):,} in {seconds} s ({len(during) / seconds:.1f}/s): {kinds}")
    print(f"contacts stored: {created:,} ({created / seconds:.1f}/s)")
    if latencies:
        print(
            f"latency of {len(latencies):,} answered requests: "
            f"p50 {percentile(latencies, 0.50):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
            f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms, "
            f"mean {statistics.mean(latencies):.0f} ms (goal: p95 under {GOAL_P95_MS} ms)"
        )
    report_timeline(during, seconds)
    replaced = f"{kill.replaced_after:.1f} s" if kill.replaced_after is not None else "not seen"
    print(f"killed worker {kill.pid} at {kill.at:.1f} s; its replacement was up after {replaced}")
    report_errors(during, kill)
    drained = [e for phone in phones for e in phone.exchanges if e.kind == "drain"]
    print(f"after the test: {len(drained)} requests to empty the outboxes")
    surprises = [s for phone in phones for s in phone.surprises]
    print(f"unexpected answers: {len(surprises)}")
    for surprise in surprises[:10]:
        print(f"  {surprise}")
    print("database:")
    for name, value in facts.items():
        print(f"  {name}: {value:,}")
    timeouts = server_log.read_text().count("WORKER TIMEOUT")
    print(f"gunicorn worker timeouts: {timeouts}")
    print(f"Server header: {next((p.server_header for p in phones if p.server_header), None)!r}")
    print("load average (1, 5, 15 min) before / after: " + " / ".join(loads))


def report_timeline(exchanges: list[Exchange], seconds: int, step: int = 20) -> None:
    """Requests, contacts stored and latency per stretch of the test, by when requests ended."""
    print("  from   requests  contacts/s   p50 ms   p95 ms   errors")
    last = max(0, (seconds - 1) // step * step)  # requests ending after the deadline go here
    for start in range(0, seconds, step):
        here = [e for e in exchanges if min(e.ended // step * step, last) == start]
        latencies = [e.seconds * 1000 for e in here if e.seconds is not None]
        errors = sum(1 for e in here if e.error or (e.status or 0) >= 500)
        created = sum(e.created for e in here)
        p50, p95 = (
            (f"{percentile(latencies, 0.5):8.0f}", f"{percentile(latencies, 0.95):8.0f}")
            if latencies
            else ("       -", "       -")
        )
        print(f"  {start:3d} s {len(here):9d} {created / step:11.1f} {p50} {p95} {errors:8d}")


def report_errors(exchanges: list[Exchange], kill: Kill) -> None:
    """Every 5xx and broken connection, and whether it fell in the kill window."""
    errors = [e for e in exchanges if e.error or (e.status or 0) >= 500]
    in_window = [e for e in errors if 0 <= e.ended - kill.at <= KILL_WINDOW_SECONDS]
    print(
        f"errors: {len(errors)} ({len(in_window)} within {KILL_WINDOW_SECONDS} s of the kill, "
        f"{len(errors) - len(in_window)} outside)"
    )
    for e in errors[:20]:
        what = e.error or f"HTTP {e.status}"
        print(
            f"  {what} on a {e.kind} request sent at {e.started:.1f} s, "
            f"ended {e.ended - kill.at:+.1f} s from the kill"
        )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--pause", type=float, default=PAUSE_SECONDS, help="mean pause between syncs (s); 0: none"
    )
    args = parser.parse_args()
    url = fresh_schema(os.environ.get("OUTREACH_LOAD_DATABASE_URL", DEFAULT_URL))
    logins = migrate_and_seed(url, args.phones)
    port = free_port()
    server_log = Path(tempfile.mkdtemp()) / "gunicorn.log"
    print(
        f"load: {args.phones} phones, {args.seconds} s, gunicorn with {args.workers} sync workers "
        f"on 127.0.0.1:{port}, PostgreSQL schema {SCHEMA}; {os.cpu_count()} cores; "
        + (
            f"each phone pauses {args.pause:g} s on average between syncs"
            if args.pause
            else "no pause between syncs (saturation)"
        )
    )
    server = start_gunicorn(url, port, args.workers, server_log)
    try:
        wait_until_up(port, server)
        clock = Clock(args.seconds)
        all_signed_in = threading.Barrier(len(logins) + 1, action=clock.start)
        phones = [
            Phone(port, username, site, number, clock, all_signed_in, args.pause)
            for number, (username, site) in enumerate(logins, start=1)
        ]
        for phone in phones:
            phone.start()
        all_signed_in.wait()
        loads = [load_average()]
        kill = Kill()
        killer = threading.Timer(args.seconds / 2, kill_one_worker, args=(server.pid, clock, kill))
        killer.start()
        for phone in phones:
            phone.join()
        loads.append(load_average())
        killer.join()
        for phone in phones:
            phone.drain()
    finally:
        server.terminate()
        server.wait(timeout=30)
    facts = check_database(url, phones)
    report(phones, args.seconds, kill, loads, facts, server_log)
    print(f"gunicorn's log: {server_log}")
    broken = (
        facts["acknowledged but not stored (lost)"]
        or facts["contacts"] != facts["distinct contact ids"]
        or facts["contacts in the roll-ups"] != facts["contacts"]
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
