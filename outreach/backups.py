"""Backups of a SQLite database: `flask backup PATH` and `flask restore PATH`.

A backup is made with SQLite's online backup API while the app keeps running: it copies a
consistent snapshot (a transaction is in it whole or not at all), so every record the server
had acknowledged when the backup began is in it. A restore replaces the database's content
with a backup's, after checking the file is an intact Outreach database; stop the app first.
PostgreSQL is backed up with pg_dump and restored with pg_restore (see the README).
"""

import os
import sqlite3
from pathlib import Path

from sqlalchemy import text

from outreach.audit.service import record_event
from outreach.errors import BackupError
from outreach.extensions import db


def database_kind() -> str:
    return db.engine.dialect.name


def _require_sqlite() -> None:
    if database_kind() != "sqlite":
        raise BackupError(
            "flask backup and restore are for SQLite; back up PostgreSQL with pg_dump "
            "(see the README)."
        )


def backup(path: str | os.PathLike) -> Path:
    """Copy the live database to `path` (a new file) and audit it."""
    _require_sqlite()
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    partial = target.with_name(target.name + ".partial")
    source = db.engine.raw_connection()
    try:
        with sqlite3.connect(partial) as copy:
            source.driver_connection.backup(copy)
        copy.close()
    finally:
        source.close()
    os.replace(partial, target)  # only a complete backup ever has the name asked for
    record_event("backup", target=target.name)
    db.session.commit()
    return target


def check_backup(path: Path) -> str:
    """The migration revision of an intact Outreach database at `path`; BackupError if not."""
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite's integrity check failed).")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an Outreach database ({exc}).") from exc
    if revision is None:
        raise BackupError(f"{path} is not an Outreach database (no schema version).")
    return revision[0]


def restore(path: str | os.PathLike) -> str:
    """Replace the database's content with the backup at `path`; returns its schema revision
    (run `flask db upgrade` afterwards if it is older than the code's)."""
    _require_sqlite()
    source_path = Path(path)
    revision = check_backup(source_path)
    db.session.remove()
    db.engine.dispose()
    target = db.engine.raw_connection()
    try:
        with sqlite3.connect(f"file:{source_path}?mode=ro", uri=True) as source:
            source.backup(target.driver_connection)
        source.close()
    finally:
        target.close()
    db.engine.dispose()
    db.session.execute(text("SELECT 1"))
    record_event("restore", target=source_path.name, detail=f"schema {revision}")
    db.session.commit()
    return revision
