"""Dashboard sessions: a signed, expiring token in a cookie keeps a person signed in across reloads.

The token (itsdangerous) carries a random session id, stamped with its time and signed with a
secret; the store keeps only a hash of the id. Signing out ends the session in the store, so
every dashboard process refuses the token from then on, even a copy. The secret comes from
ESGDATA_SECRET_KEY, or is generated once into the data folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine

from . import store
from .config import Config, load_config
from .errors import PermissionDenied
from .users import User, account, require

COOKIE = "esgdata_session"
SECRET_FILE = "session-secret"  # in the data folder, readable by its owner only
_SALT = "esgdata.session"


def secret(config: Config | None = None) -> str:
    """ESGDATA_SECRET_KEY, else the data folder's secret (made on first use; every process agrees)."""
    cfg = config or load_config()
    if cfg.secret_key:
        return cfg.secret_key
    path = Path(cfg.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made before, perhaps by another process a moment ago
        for _ in range(50):
            value = path.read_text(encoding="ascii").strip()
            if value:
                return value
            os.sched_yield()
        raise PermissionDenied(f"the session secret {path} is empty; delete it and reload") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value)
    return value


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def start(engine: Engine, user: User, *, hours: float, key: str) -> str:
    """A new session for a signed-in account (audited as a sign-in); returns the token for the cookie."""
    person = require(user, "viewer", engine)
    if not person.account:
        raise PermissionDenied("only accounts sign in to the dashboard")
    session_id = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    store.insert_session(engine, _hash(session_id), person.name, expires)
    return str(_serializer(key).dumps({"sid": session_id}))


def _session_id(token: str, key: str, max_age: float | None) -> str:
    try:
        data = _serializer(key).loads(token, max_age=None if max_age is None else int(max_age))
    except SignatureExpired:
        raise PermissionDenied("your session has expired; sign in again") from None
    except BadData:
        raise PermissionDenied("this session token is not valid; sign in again") from None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        raise PermissionDenied("this session token is not valid; sign in again")
    return str(data["sid"])


def resume(engine: Engine, token: str, *, hours: float, key: str) -> User:
    """The person a cookie's token signs in, if it is genuine, not expired, not signed out, and
    the account is still enabled (with its current role); PermissionDenied otherwise."""
    row = store.get_session(engine, _hash(_session_id(token, key, hours * 3600)))
    if row is None:
        raise PermissionDenied("this session token is not valid; sign in again")
    if row["ended_at"] is not None:
        raise PermissionDenied("this session was signed out; sign in again")
    if row["expires_at"] <= dt.datetime.now(dt.UTC):
        raise PermissionDenied("your session has expired; sign in again")
    return account(engine, row["user_name"])


def end(engine: Engine, token: str, *, key: str) -> bool:
    """Sign out: end the token's session for every process (audited); False if it was not open."""
    try:
        session_id = _session_id(token, key, None)
    except PermissionDenied:
        return False
    return store.end_session(engine, _hash(session_id))
