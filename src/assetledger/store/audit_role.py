"""The PostgreSQL auditor role, created and kept by `assetledger db upgrade`.

For the tables in schema S of database D (S is the schema the tables live in, `public` on a plain database):
- schema `S_audit` holds the audit views (security barriers: the user's WHERE never sees a row out of scope),
  `reader_scopes` (which regions the connection with a given backend pid and start time may see) and
  `reader_login` (the role's password; only the owner can read it);
- role `D_audit` (`D_S_audit` when S is not public) logs in with that password, is no superuser and member of no
  role, has USAGE on `S_audit` and SELECT on its views and nothing else, and its sessions start read-only with
  statement, lock and idle timeouts and `search_path = S_audit`.
A view reads the base tables with its owner's rights, only for rows whose region is in `reader_scopes` for the
connection reading it; the application writes those rows (from its own connection) for each audit query. A login
as the role with no such rows sees nothing.

Managing the role needs CREATEROLE (or a superuser). Without it the views are kept and the role is left alone: a
DBA runs `assetledger db upgrade` once as a role that has it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from assetledger.store.audit_views import VIEWS, column_comments, select_sql

CONNECTION_LIMIT = 16
# Held while roles are created, granted or dropped: a grant on the database and a role's DROP OWNED both rewrite the
# database's one catalog row, and two sessions doing so at once fail with "tuple concurrently updated".
ROLE_LOCK_KEY = 0x41524F4C
TEMP_FILE_LIMIT = "1GB"
SETTINGS = {  # the role's session defaults; the reader sets the time limits again for each statement
    "default_transaction_read_only": "on",
    "statement_timeout": "10s",
    "lock_timeout": "1s",
    "idle_in_transaction_session_timeout": "60s",
}


@dataclass(frozen=True)
class ReaderNames:
    base_schema: str
    schema: str
    role: str

    @classmethod
    def of(cls, database: str, schema: str) -> ReaderNames:
        role = f"{database}_audit" if schema == "public" else f"{database}_{schema}_audit"
        if len(role.encode()) > 63:  # PostgreSQL's identifier limit
            role = f"assetledger_audit_{hashlib.sha256(f'{database}/{schema}'.encode()).hexdigest()[:16]}"
        return cls(schema, f"{schema}_audit", role)

    @staticmethod
    def quote(name: str) -> str:
        """A PostgreSQL identifier in double quotes (for settings given as text, such as search_path)."""
        return '"' + name.replace('"', '""') + '"'

    @classmethod
    def current(cls, conn: Connection) -> ReaderNames:
        schema, database = conn.execute(text("SELECT current_schema(), current_database()")).one()
        return cls.of(str(database), str(schema))


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def drop_views(engine: Engine) -> None:
    """Before a migration: the views would keep it from altering the columns they read."""
    with engine.begin() as conn:
        names = ReaderNames.current(conn)
        for view in VIEWS:
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS {_q(conn, names.schema)}.{_q(conn, view.name)}")


def install(engine: Engine) -> str | None:
    """Create or bring up to date the views, the scope and login tables, the role and its grants (idempotent).

    Returns a note for the operator when the role could not be managed (no CREATEROLE), else None."""
    with engine.begin() as conn:
        names = ReaderNames.current(conn)
        schema = _q(conn, names.schema)
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {schema}.reader_scopes (pid integer NOT NULL, backend_start timestamptz "
            "NOT NULL, region_code varchar(32) NOT NULL, PRIMARY KEY (pid, backend_start, region_code))"
        )
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {schema}.reader_login (role_name text PRIMARY KEY, password text NOT NULL)"
        )
        conn.exec_driver_sql(f"REVOKE ALL ON {schema}.reader_scopes, {schema}.reader_login FROM PUBLIC")
        _create_views(conn, names)
        managed = _role_and_grants(conn, names)
    if managed:
        return None
    note = (
        "审计角色未能建立或更新：请用有 CREATEROLE 权限的角色（或超级用户）运行一次 `assetledger db upgrade`，"
        "在此之前本数据库拒绝 `audit sql` "
        f"(the auditor role {names.role} was not created or updated: run `assetledger db upgrade` as a role with "
    )
    return note + "CREATEROLE (or a superuser) once; until then `audit sql` is refused on this database)"


def install_role(engine: Engine) -> bool:
    """The role and its grants alone, for a copy of a database whose views `install` made (CREATE DATABASE …
    TEMPLATE): the copy's role is named after the copy, its views are the original's. False when this connection's
    user may not manage roles."""
    with engine.begin() as conn:
        return _role_and_grants(conn, ReaderNames.current(conn))


def _role_and_grants(conn: Connection, names: ReaderNames) -> bool:
    _one_role_change_at_a_time(conn)
    managed = _keep_role(conn, names)
    if managed or _role_exists(conn, names):
        _grant(conn, names)
    return managed


def _create_views(conn: Connection, names: ReaderNames) -> None:
    base, schema = _q(conn, names.base_schema), _q(conn, names.schema)

    def within(columns: tuple[str, ...]) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {schema}.reader_scopes audit_scope WHERE audit_scope.pid = "
            "pg_catalog.pg_backend_pid() AND audit_scope.backend_start = (SELECT audit_me.backend_start FROM "
            "pg_catalog.pg_stat_activity audit_me WHERE audit_me.pid = pg_catalog.pg_backend_pid()) "
            f"AND audit_scope.region_code IN ('*', {', '.join(columns)}))"
        )

    for view in VIEWS:
        body = select_sql(view, lambda name: f"{base}.{_q(conn, name)}", within)
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {schema}.{_q(conn, view.name)}")
        conn.exec_driver_sql(f"CREATE VIEW {schema}.{_q(conn, view.name)} WITH (security_barrier) AS {body}")
        for column, comment in column_comments(view).items():  # a literal: COMMENT takes no parameters
            literal = "'" + comment.replace("'", "''") + "'"
            conn.exec_driver_sql(f"COMMENT ON COLUMN {schema}.{_q(conn, view.name)}.{_q(conn, column)} IS {literal}")


def _role_exists(conn: Connection, names: ReaderNames) -> bool:
    query = "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = :r"
    return bool(conn.scalar(text(query), {"r": names.role}))


def _keep_role(conn: Connection, names: ReaderNames) -> bool:
    """Create the role or put it back as it must be; False when this connection's user may not manage roles."""
    query = "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user"
    if not conn.scalar(text(query)):
        return False
    exists = _role_exists(conn, names)
    role, schema = _q(conn, names.role), _q(conn, names.schema)
    password = conn.scalar(
        text(f"SELECT password FROM {schema}.reader_login WHERE role_name = :r"), {"r": names.role}
    )  # fmt: skip
    if password is None:
        password = secrets.token_urlsafe(32)
        conn.execute(text(f"INSERT INTO {schema}.reader_login (role_name, password) VALUES (:r, :p)"),
                     {"r": names.role, "p": password})  # fmt: skip
    verb = "ALTER" if exists else "CREATE"
    conn.exec_driver_sql(
        f"{verb} ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS "
        f"CONNECTION LIMIT {CONNECTION_LIMIT} PASSWORD '{scram_verifier(str(password))}'"
    )
    for (member_of,) in conn.execute(
        text("SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
             "JOIN pg_catalog.pg_roles r ON r.oid = m.member WHERE r.rolname = :r"), {"r": names.role}
    ):  # fmt: skip
        conn.exec_driver_sql(f"REVOKE {_q(conn, str(member_of))} FROM {role}")
    database = _q(conn, str(conn.scalar(text("SELECT current_database()"))))
    conn.exec_driver_sql(f"ALTER ROLE {role} RESET ALL")
    conn.exec_driver_sql(f"ALTER ROLE {role} IN DATABASE {database} RESET ALL")
    for name, value in SETTINGS.items():
        conn.exec_driver_sql(f"ALTER ROLE {role} IN DATABASE {database} SET {name} = '{value}'")
    conn.exec_driver_sql(f"ALTER ROLE {role} IN DATABASE {database} SET search_path TO {schema}")
    if conn.scalar(text("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")):
        # only a superuser may set it: a sort or hash spilled to disk stops at 1 GB instead of filling the disk
        conn.exec_driver_sql(f"ALTER ROLE {role} IN DATABASE {database} SET temp_file_limit = '{TEMP_FILE_LIMIT}'")
    return True


def _grant(conn: Connection, names: ReaderNames) -> None:
    role, schema, base = _q(conn, names.role), _q(conn, names.schema), _q(conn, names.base_schema)
    database = _q(conn, str(conn.scalar(text("SELECT current_database()"))))
    if conn.scalar(text("SELECT has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION')")):
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {role}")  # else PUBLIC's, or the DBA's
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {base} FROM {role}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {base} FROM {role}")
    conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {base} FROM {role}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    for view in VIEWS:
        conn.exec_driver_sql(f"GRANT SELECT ON {schema}.{_q(conn, view.name)} TO {role}")


def drop(conn: Connection, schema: str) -> None:
    """Remove the audit schema and role of the tables in `schema` (tests and benchmarks that drop their schema)."""
    database = str(conn.scalar(text("SELECT current_database()")))
    names = ReaderNames.of(database, schema)
    _one_role_change_at_a_time(conn)
    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_q(conn, names.schema)} CASCADE")
    if conn.scalar(text("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": names.role}):
        conn.exec_driver_sql(f"DROP OWNED BY {_q(conn, names.role)}")
        conn.exec_driver_sql(f"DROP ROLE {_q(conn, names.role)}")


def _one_role_change_at_a_time(conn: Connection) -> None:
    """Wait for any other session changing roles or grants in this database; released when the transaction ends."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLE_LOCK_KEY})


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 5802/7677), so the password itself never reaches the
    server or its statement log."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored_key = hashlib.sha256(hmac.new(salted, b"Client Key", "sha256").digest()).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
