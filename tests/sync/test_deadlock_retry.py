"""A sync batch that PostgreSQL ends to break a deadlock is run again, not answered with a 500."""

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError

from outreach.sync import api as sync_api


def failing_first(times: int, error):
    """apply_sync_batch, raising `error` on its first `times` calls."""
    real = sync_api.apply_sync_batch
    calls = []

    def apply(user, batch, correction):
        calls.append(1)
        if len(calls) <= times:
            real(user, batch, correction)  # writes, then dies as a deadlock victim would
            raise error
        return real(user, batch, correction)

    return apply, calls


def deadlock():
    return OperationalError("INSERT", {}, psycopg.errors.DeadlockDetected("deadlock detected"))


def test_a_deadlock_victim_is_run_again(worker, make_contact, count_rows, monkeypatch):
    apply, calls = failing_first(1, deadlock())
    monkeypatch.setattr(sync_api, "apply_sync_batch", apply)
    response = worker.sync(contacts=[make_contact()])
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["created"]
    assert len(calls) == 2
    assert count_rows()["contacts"] == 1


@pytest.fixture
def answers_500(app):
    """Unhandled errors answered as in production (the `app` fixture restores the config)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.mark.usefixtures("answers_500")
def test_deadlocks_on_every_attempt_end_in_a_500(worker, make_contact, count_rows, monkeypatch):
    apply, calls = failing_first(sync_api.DEADLOCK_ATTEMPTS, deadlock())
    monkeypatch.setattr(sync_api, "apply_sync_batch", apply)
    assert worker.sync(contacts=[make_contact()]).status_code == 500
    assert len(calls) == sync_api.DEADLOCK_ATTEMPTS
    assert count_rows()["contacts"] == 0


@pytest.mark.usefixtures("answers_500")
def test_other_database_errors_are_not_retried(worker, make_contact, monkeypatch):
    apply, calls = failing_first(1, OperationalError("INSERT", {}, Exception("disk full")))
    monkeypatch.setattr(sync_api, "apply_sync_batch", apply)
    assert worker.sync(contacts=[make_contact()]).status_code == 500
    assert len(calls) == 1
