"""Alembic environment: online migrations only, one transaction per upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assetledger.store.db import make_engine
from assetledger.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        with context.begin_transaction():
            before = context.get_context().get_current_revision()
            context.run_migrations()
            if sqlite and context.get_context().get_current_revision() != before:
                _check_foreign_keys(connection)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite drops a table constraint by rebuilding the table (batch mode), which with foreign keys enforced would
    fail on dropping the old table. SQLite's own procedure for it: enforcement off outside the transaction (inside
    one the pragma is a no-op), the rebuild, `PRAGMA foreign_key_check` before commit, enforcement back on."""
    if connection.in_transaction():
        return  # a caller's open transaction: the pragma could not take effect; a rebuild migration says so
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:10]}")


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            run(connection)
    finally:
        engine.dispose()


run_online()
