"""`flask backup` and `flask restore` (SQLite): a backup taken while phones keep syncing holds
every record acknowledged before it began, whole, and restores into a working database."""

import threading
import time
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from outreach import backups, create_app
from outreach.audit.models import AuditEvent
from outreach.auth.service import create_user
from outreach.catalog.defaults import seed_catalog
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_of, now
from tests.conftest import PASSWORD, ApiClient, local_now

PHONES = 3


def sqlite_app(path):
    """An app on a SQLite file of its own, migrated, with the catalog, a site and a worker."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def live(tmp_path):
    app = sqlite_app(tmp_path / "live.db")
    with app.app_context():
        seed_catalog()
        db.session.add(
            Site(code="AMS-DCR1", name_en="DCR", name_nl="DCR", kind="dcr", city="Amsterdam")
        )
        db.session.flush()
        for number in range(PHONES):
            create_user(f"phone{number}", PASSWORD, "worker", ["AMS-DCR1"])
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def contact():
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": local_now(5).isoformat(),
        "site": "AMS-DCR1",
        "kind": "dcr_visit",
        "client_code": f"CODE{uuid.uuid4().hex[:6]}",
        "items": [{"code": "syringe_1ml", "quantity": 10}, {"code": "swab", "quantity": 10}],
    }


class Phone(threading.Thread):
    """Syncs batches of 5 contacts until told to stop; keeps when each id was acknowledged."""

    def __init__(self, app, username):
        super().__init__(daemon=True)
        self.client = ApiClient(app.test_client(), username)
        self.acknowledged: dict[str, float] = {}
        self.stop = threading.Event()
        self.failures = []

    def run(self):
        while not self.stop.is_set():
            batch = [contact() for _ in range(5)]
            response = self.client.sync(contacts=batch)
            if response.status_code != 200:
                self.failures.append(response.status_code)
                continue
            at = time.monotonic()
            for result in response.get_json()["results"]:
                if result["status"] in ("created", "duplicate"):
                    self.acknowledged[result["id"]] = at


def test_a_backup_taken_during_syncs_holds_every_acknowledged_record(live, tmp_path):
    phones = [Phone(live, f"phone{number}") for number in range(PHONES)]
    for phone in phones:
        phone.start()
    time.sleep(1.0)
    started = time.monotonic()
    with live.app_context():
        backups.backup(tmp_path / "backup.db")
    time.sleep(0.3)
    for phone in phones:
        phone.stop.set()
    for phone in phones:
        phone.join(timeout=30)
    assert all(not phone.failures for phone in phones), [phone.failures for phone in phones]
    before = {
        record_id
        for phone in phones
        for record_id, at in phone.acknowledged.items()
        if at < started
    }
    assert len(before) >= 10, "the phones synced too little before the backup to tell"

    restored = sqlite_app(tmp_path / "restored.db")
    result = restored.test_cli_runner().invoke(
        args=["restore", str(tmp_path / "backup.db"), "--yes"]
    )
    assert result.exit_code == 0, result.output

    with restored.test_request_context():
        stored = {str(i) for i in db.session.execute(select(Contact.id)).scalars()}
        assert before <= stored
        # Every record whole: both of its items came with it.
        items = dict(
            db.session.execute(
                select(ContactItem.contact_id, func.count()).group_by(ContactItem.contact_id)
            ).all()
        )
        assert {str(key) for key, count in items.items() if count == 2} == stored
        # The roll-ups in the backup agree with its records.
        sites = list(db.session.execute(select(Site)).scalars())
        month = month_of(now())
        assert monthly_report([month], sites).values == direct_report([month], sites).values
        actions = set(db.session.execute(select(AuditEvent.action)).scalars())
        assert "restore" in actions
        db.engine.dispose()


def test_the_backup_is_audited_and_never_overwrites_a_file(live, tmp_path):
    target = tmp_path / "backup.db"
    runner = live.test_cli_runner()

    first = runner.invoke(args=["backup", str(target)])
    second = runner.invoke(args=["backup", str(target)])

    assert first.exit_code == 0, first.output
    assert second.exit_code != 0
    assert "exists already" in second.output
    assert backups.check_backup(target)  # an intact database with a schema revision
    with live.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "backup")
        ).scalar_one()
        assert event.target == "backup.db"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "There is no file"), (b"not a database at all" * 100, "not an Outreach database")],
)
def test_restoring_what_is_no_backup_is_refused_and_changes_nothing(
    live, tmp_path, content, message
):
    path = tmp_path / "wrong.db"
    if content is not None:
        path.write_bytes(content)
    with live.app_context():
        users = db.session.execute(select(func.count()).select_from(Contact)).scalar_one()

    result = live.test_cli_runner().invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code != 0
    assert message in result.output
    with live.app_context():
        assert db.session.execute(select(func.count()).select_from(Contact)).scalar_one() == users


def test_postgresql_is_backed_up_with_pg_dump(live, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "database_kind", lambda: "postgresql")

    result = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])

    assert result.exit_code != 0
    assert "pg_dump" in result.output
