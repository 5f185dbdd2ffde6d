"""Declarative base with a naming convention, the column types every domain shares, and a
fast bulk insert."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ARRAY, DateTime, MetaData, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back time-zone aware.

    SQLite keeps no offset, so naive values in the database are UTC by definition.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def configure_sqlite(engine) -> None:
    """Make SQLite behave like a real transactional database.

    pysqlite's own transaction handling breaks SAVEPOINT, which the sync service relies on, so
    SQLAlchemy emits BEGIN itself. IMMEDIATE takes the write lock up front: two requests that
    read then write can then wait for each other (busy_timeout) instead of failing with
    "database is locked".

    A file database writes ahead (WAL; a commit survives the app crashing, and a reader never
    waits for a writer), keeps up to 16 MB of pages per connection (the indexes a sync writes
    to stay in memory), and folds the log back into the database every 10,000 pages (40 MB)
    rather than every 1,000: a page changed by many syncs in between is written once. Together
    they make the sync about 10% faster (README, Benchmarks).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-16000")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class _Prepared:
    """What `execute_many` works out from a statement: its SQL, and how to pass each row."""

    sql: str
    names: tuple[str, ...]  # the parameters, in the order the driver takes them
    converters: tuple[tuple[int, Callable], ...]  # (place, conversion) of typed parameters
    positional: bool


# Prepared statements by (what, dialect, driver, parameter names); `what` names the statement.
_prepared: dict[tuple, _Prepared] = {}
_NOTHING = object()


def _prepare(statement, dialect, columns: list[str]) -> _Prepared:
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    convert = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for name, bind in compiled.binds.items()
    }
    # Positional (SQLite: a name may come more than once) or named (psycopg) parameters.
    names = tuple(compiled.positiontup or convert)
    converters = tuple((place, convert[name]) for place, name in enumerate(names) if convert[name])
    return _Prepared(str(compiled), names, converters, bool(compiled.positiontup))


def execute_many(session, what, make_statement: Callable, rows: list[dict]) -> None:
    """Run a statement once per row through the driver's executemany, each value converted by
    its parameter's type first: SQLAlchemy's own handling of each row's parameters costs as
    much as SQLite's insert. The rows' keys are the statement's parameter names (for an
    INSERT, its columns).

    `make_statement()` makes the statement the first time `what` (any hashable name for it)
    runs with these parameters on this kind of database; after that, the SQL and conversions
    worked out then are used again.
    """
    connection = session.connection()
    dialect = connection.dialect
    columns = list(rows[0])
    key = (what, dialect.name, dialect.driver, tuple(columns))
    prepared = _prepared.get(key)
    if prepared is None:
        prepared = _prepared[key] = _prepare(make_statement(), dialect, columns)
    names, converters = prepared.names, prepared.converters
    values = [[row[name] for name in names] for row in rows]
    for place, to in converters:
        # Column by column; a value passed again (a batch's one time of receipt, the lines of
        # a contact sharing its time) is converted once.
        last = converted = _NOTHING
        for row in values:
            value = row[place]
            if value is not last:
                last, converted = value, to(value)
            row[place] = converted
    if prepared.positional:
        values = [tuple(row) for row in values]
    else:
        values = [dict(zip(names, row, strict=True)) for row in values]
    connection.exec_driver_sql(prepared.sql, values)


@dataclass(frozen=True)
class Upsert:
    """How `insert_many` treats a row whose `keys` are stored already: its `replaced` columns
    overwrite the stored ones, and its other columns (numbers) are added to them; or, with
    `keep_stored`, the row is left out and the stored one stays as it is."""

    keys: tuple[str, ...]
    replaced: tuple[str, ...] = ()
    keep_stored: bool = False

    def finish(self, insert, table, columns):
        """The dialect's INSERT with this ON CONFLICT clause."""
        if self.keep_stored:
            return insert.on_conflict_do_nothing(index_elements=list(self.keys))
        added = [name for name in columns if name not in self.keys and name not in self.replaced]
        changes = {name: table.c[name] + insert.excluded[name] for name in added}
        changes.update({name: insert.excluded[name] for name in self.replaced})
        return insert.on_conflict_do_update(index_elements=list(self.keys), set_=changes)


def insert_many(session, table, rows: list[dict], upsert: Upsert | None = None) -> None:
    """Insert rows (dicts by column name, all with the same columns), or upsert them.

    SQLite inserts through `execute_many`. PostgreSQL takes the rows as one array per column in
    a single `INSERT … SELECT unnest(…), …`: a statement per row costs the driver and the
    server as much again. Upserted rows must not share keys (PostgreSQL refuses to change a row
    twice in one statement).
    """
    if not rows:
        return
    columns = tuple(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        execute_many(
            session,
            ("insert", table, upsert),
            lambda: _finished(sqlite.insert(table), table, columns, upsert),
            rows,
        )
        return
    key = (table, columns, upsert)
    statement = _array_inserts.get(key)
    if statement is None:
        arrays = [func.unnest(bindparam(name, type_=ARRAY(table.c[name].type))) for name in columns]
        insert = postgresql.insert(table).from_select(columns, select(*arrays))
        statement = _array_inserts[key] = _finished(insert, table, columns, upsert)
    connection.execute(statement, {name: [row[name] for row in rows] for name in columns})


def _finished(insert, table, columns, upsert: Upsert | None):
    return upsert.finish(insert, table, columns) if upsert else insert


# PostgreSQL's array inserts by (table, columns, upsert).
_array_inserts: dict[tuple, object] = {}
