"""The portal's own records: access codes (hashed), sessions, receipts, wrong-code attempts and the audit log.

SQLite beside the warehouse on one machine, the deployment's PostgreSQL in production (a SQLAlchemy URL, the
setting ``portal_store``) — never the warehouse, which the nightly run replaces. Written with SQLAlchemy Core
(Airflow's own), so the same statements run on both.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)

from countystats.portal.codes import Hashed, hash_code, new_code, split, verify

metadata = MetaData()

access_codes = Table(
    "portal_access_codes", metadata,
    Column("key_id", String(16), primary_key=True, comment="the code's public part (no secret)"),
    Column("role", String(8), nullable=False, comment="unit | office"),
    Column("unit_code", String(64), index=True, comment="the unit whose reports the code sends and sees"),
    Column("area_code", String(64), comment="the unit's area (its county)"),
    Column("name", Text, nullable=False, comment="the unit's name, or the office person's"),
    Column("salt", String(64), nullable=False),
    Column("digest", String(128), nullable=False, comment="scrypt of the secret part"),
    Column("params", String(32), nullable=False, comment="scrypt n,r,p"),
    Column("issued_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

sessions = Table(
    "portal_sessions", metadata,
    Column("token_hash", String(64), primary_key=True, comment="sha256 of the cookie's 256 random bits"),
    Column("key_id", String(16), nullable=False),
    Column("csrf", String(64), nullable=False, comment="the token every form of the session carries"),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

receipts = Table(
    "portal_receipts", metadata,
    Column("receipt_id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("area_code", String(64)),
    Column("received_at", DateTime, nullable=False, comment="when the bytes were on disk (the county's time)"),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("file_name", Text, nullable=False, comment="the name the clerk's computer gave (shown only, never a path)"),
    Column("inbox_name", Text, nullable=False, comment="where it lies in the inbox, relative"),
    Column("report_year", Integer),
    Column("status", String(32), nullable=False, comment="the immediate check's status"),
    Column("check_json", Text, nullable=False, comment="the immediate check, as `check --json`"),
    Column("feedback", LargeBinary, comment="the feedback workbook, made at receipt"),
    Column("sent_by", String(16), nullable=False, comment="the access code's key id"),
)

failures = Table(
    "portal_failures", metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
)

audit = Table(
    "portal_audit", metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("key_id", String(16), comment="who (the code's key id), empty before sign-in"),
    Column("who", Text, comment="the unit's or office person's name"),
    Column("action", String(32), nullable=False),
    Column("target", Text, comment="a receipt id, a submission id, a unit code"),
    Column("detail", Text),
    Column("address", String(64)),
)

SESSION_HOURS = 8  # a working day
FAILURE_WINDOW = timedelta(minutes=10)
FAILURE_LIMIT = 10  # wrong codes from one address within the window; the next attempt is refused (429)


@dataclass(frozen=True)
class Holder:
    """Who a code belongs to."""

    key_id: str
    role: str  # unit | office
    unit_code: str | None
    area_code: str | None
    name: str

    @property
    def office(self) -> bool:
        return self.role == "office"


@dataclass(frozen=True)
class Session:
    holder: Holder
    csrf: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    def __init__(self, url: str):
        self.url = url
        sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, pool_pre_ping=not sqlite,
                                    connect_args={"timeout": 30, "check_same_thread": False} if sqlite else {})
        if sqlite:
            @event.listens_for(self.engine, "connect")
            def _pragmas(con, _record):  # readers never wait for the writer; writers queue rather than fail
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA busy_timeout=30000")
        with self.engine.begin() as con:
            if self.engine.dialect.name == "postgresql":  # portals starting together on an empty database
                con.execute(text("SELECT pg_advisory_xact_lock(8321)"))
            metadata.create_all(con)
        self._checked: dict[str, tuple[str, datetime]] = {}  # sha256(code) → key id, until: scrypt once a while

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ access codes

    def issue(self, role: str, name: str, now: datetime, unit_code: str | None = None,
              area_code: str | None = None) -> str:
        """A new code; a unit's earlier codes stop working (one code per unit, so a lost one is simply replaced)."""
        code = new_code()
        hashed = hash_code(code)
        with self.engine.begin() as con:
            if unit_code is not None:
                con.execute(update(access_codes).where(access_codes.c.unit_code == unit_code,
                                                       access_codes.c.revoked_at.is_(None)).values(revoked_at=now))
            con.execute(insert(access_codes).values(
                key_id=hashed.key_id, role=role, unit_code=unit_code, area_code=area_code, name=name,
                salt=hashed.salt, digest=hashed.digest, params=hashed.params, issued_at=now))
        return code

    def revoke(self, now: datetime, unit_code: str | None = None, name: str | None = None) -> int:
        """Revoke a unit's codes, or the office codes issued to ``name``; how many were revoked."""
        where = (access_codes.c.unit_code == unit_code) if unit_code is not None else (
            (access_codes.c.role == "office") & (access_codes.c.name == name))
        with self.engine.begin() as con:
            done = con.execute(update(access_codes).where(where, access_codes.c.revoked_at.is_(None))
                               .values(revoked_at=now)).rowcount
        self._checked.clear()
        return done

    def holder_of(self, code: str, now: datetime) -> Holder | None:
        """The holder of a valid, unrevoked code, else None (after the same scrypt work either way)."""
        parts = split(code)
        with self.engine.connect() as con:
            row = con.execute(select(access_codes).where(
                access_codes.c.key_id == (parts[0] if parts else ""))).mappings().first()
        if row is not None and row["revoked_at"] is not None:
            row = None
        remembered = self._checked.get(_token_hash(code))
        if row is not None and remembered and remembered[0] == row["key_id"] and remembered[1] > now:
            return self._holder(row)
        stored = None if row is None else Hashed(row["key_id"], row["salt"], row["digest"], row["params"])
        if not verify(code, stored):
            return None
        self._checked[_token_hash(code)] = (row["key_id"], now + timedelta(minutes=5))
        return self._holder(row)

    @staticmethod
    def _holder(row) -> Holder:
        return Holder(row["key_id"], row["role"], row["unit_code"], row["area_code"], row["name"])

    def holder(self, key_id: str) -> Holder | None:
        with self.engine.connect() as con:
            row = con.execute(select(access_codes).where(access_codes.c.key_id == key_id,
                                                         access_codes.c.revoked_at.is_(None))).mappings().first()
        return None if row is None else self._holder(row)

    # ------------------------------------------------------------ wrong codes

    def too_many_failures(self, address: str, now: datetime) -> bool:
        with self.engine.connect() as con:
            n = con.execute(select(func.count()).select_from(failures).where(
                failures.c.address == address, failures.c.at > now - FAILURE_WINDOW)).scalar_one()
        return n >= FAILURE_LIMIT

    def failed(self, address: str, now: datetime) -> None:
        with self.engine.begin() as con:
            con.execute(insert(failures).values(address=address, at=now))
            con.execute(failures.delete().where(failures.c.at < now - timedelta(days=1)))

    # ------------------------------------------------------------ sessions

    def open_session(self, holder: Holder, now: datetime) -> tuple[str, str]:
        """(cookie token, CSRF token) of a new session; only the token's hash is kept."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.expires_at < now))
            con.execute(insert(sessions).values(token_hash=_token_hash(token), key_id=holder.key_id, csrf=csrf,
                                                created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
        return token, csrf

    def session(self, token: str | None, now: datetime) -> Session | None:
        if not token:
            return None
        with self.engine.connect() as con:
            row = con.execute(select(sessions).where(sessions.c.token_hash == _token_hash(token),
                                                     sessions.c.expires_at > now)).mappings().first()
        holder = None if row is None else self.holder(row["key_id"])  # a revoked code ends its sessions
        return None if holder is None else Session(holder, row["csrf"])

    def close_session(self, token: str) -> None:
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.token_hash == _token_hash(token)))

    # ------------------------------------------------------------ receipts

    def add_receipt(self, **values) -> int:
        with self.engine.begin() as con:
            return con.execute(insert(receipts).values(**values)).inserted_primary_key[0]

    def set_feedback(self, receipt_id: int, data: bytes) -> None:
        with self.engine.begin() as con:
            con.execute(update(receipts).where(receipts.c.receipt_id == receipt_id).values(feedback=data))

    def update_check(self, receipt_id: int, status: str, check: dict) -> None:
        with self.engine.begin() as con:
            con.execute(update(receipts).where(receipts.c.receipt_id == receipt_id).values(
                status=status, check_json=json.dumps(check, ensure_ascii=False)))

    def receipt(self, receipt_id: int, unit_code: str | None = None) -> dict | None:
        """One receipt; with ``unit_code``, only if it is that unit's (another unit's is as if it did not exist)."""
        q = select(receipts).where(receipts.c.receipt_id == receipt_id)
        if unit_code is not None:
            q = q.where(receipts.c.unit_code == unit_code)
        with self.engine.connect() as con:
            row = con.execute(q).mappings().first()
        return None if row is None else dict(row)

    def receipts(self, unit_code: str | None = None, limit: int = 500) -> list[dict]:
        cols = [c for c in receipts.c if c.name != "feedback"]
        q = select(*cols).order_by(receipts.c.receipt_id.desc()).limit(limit)
        if unit_code is not None:
            q = q.where(receipts.c.unit_code == unit_code)
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(q).mappings()]

    # ------------------------------------------------------------ audit log

    def log(self, now: datetime, action: str, holder: Holder | None = None, target: object = None,
            detail: str | None = None, address: str | None = None) -> None:
        with self.engine.begin() as con:
            con.execute(insert(audit).values(
                at=now, key_id=holder.key_id if holder else None, who=holder.name if holder else None,
                action=action, target=None if target is None else str(target), detail=detail, address=address))

    def audit_log(self, limit: int = 1000) -> list[dict]:
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(
                select(audit).order_by(audit.c.audit_id.desc()).limit(limit)).mappings()]
