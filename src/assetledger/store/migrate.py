"""Alembic, driven from code so an installed package can create and upgrade its database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from assetledger.store import audit_role
from assetledger.store.db import make_engine, resolve_url


def migrations_dir() -> Path:
    """The wheel ships migrations as assetledger/_migrations; a source checkout has them at the top level."""
    package_root = Path(__file__).resolve().parent.parent
    shipped = package_root / "_migrations"
    if (shipped / "env.py").exists():
        return shipped
    checkout = package_root.parent.parent / "migrations"
    if (checkout / "env.py").exists():
        return checkout
    raise FileNotFoundError("alembic migrations not found next to the package or in the checkout")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> list[str]:
    """Migrate, and on PostgreSQL keep the auditor role and its views (store/audit_role.py) at the head revision.

    The views are dropped before a migration runs (they would keep it from altering the columns they read) and
    built again from the code afterwards. Returns notes for the operator (e.g. the role could not be made).
    """
    notes: list[str] = []
    engine = make_engine(url)
    try:
        postgres = engine.dialect.name == "postgresql"
        if postgres and not (revision == "head" and current_revision(engine) in heads(url)):
            audit_role.drop_views(engine)
        command.upgrade(alembic_config(url), revision)
        if postgres and current_revision(engine) in heads(url):
            try:
                note = audit_role.install(engine)
            except DBAPIError as exc:  # the record is upgraded; only audit SQL is not available
                note = f"the audit views could not be made ({exc.orig}); `audit sql` is refused until they are"
            notes += [note] if note else []
    finally:
        engine.dispose()
    return notes


def downgrade(url: str | None, revision: str) -> None:
    """Migrate back to `revision`; on PostgreSQL the auditor's views go first (they read tables a downgrade drops)
    and are not rebuilt: the views are made for the head revision only, by `upgrade`."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            audit_role.drop_views(engine)
        command.downgrade(alembic_config(url), revision)
    finally:
        engine.dispose()


def heads(url: str | None = None) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(url: str | None = None) -> bool:
    engine = make_engine(url)
    try:
        return current_revision(engine) in heads(url)
    finally:
        engine.dispose()
