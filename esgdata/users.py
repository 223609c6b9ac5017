"""Accounts, roles and sign-in. Role checks live here, in the data layer, not only in the UI."""

from __future__ import annotations

import os
import pwd
import re
import socket
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from . import store
from .errors import EsgDataError, PermissionDenied

ROLES: tuple[str, ...] = ("viewer", "reviewer", "admin")  # each role can do what the ones before it can
MIN_PASSWORD = 8
_NAME = re.compile(r"[\w.@-]{1,64}")
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A person acting: a signed-in account, or (``account`` False) whoever runs the command line."""

    name: str
    role: str
    account: bool = True


def _os_account() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, AttributeError):  # a uid without a passwd entry (containers), or no pwd module
        return f"uid{os.geteuid()}" if hasattr(os, "geteuid") else "unknown"


def operator() -> User:
    """Whoever runs the command line here: they hold the store's credentials, so they act as an
    admin, named in the audit log by their operating-system account and host ("os:ana@host")."""
    return User(f"os:{_os_account()}@{socket.gethostname()}", "admin", account=False)


def account(engine: Engine, name: str) -> User:
    """The enabled account ``name`` (the command line's ``--as``), held to its own role."""
    row = store.get_user(engine, name)
    if row is None:
        raise PermissionDenied(f"no account named {name!r} (`esgdata users list` shows them)")
    if row["disabled"]:
        raise PermissionDenied(f"the account {name!r} is disabled; ask an admin")
    return User(row["name"], row["role"])


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise EsgDataError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise EsgDataError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def add_user(engine: Engine, user: User | None, name: str, password: str, role: str) -> User:
    """An admin creates an account; the password is stored only as a salted argon2 hash (audited)."""
    admin = require(user, "admin", engine)
    if not _NAME.fullmatch(name):
        raise EsgDataError(f"user name {name!r}: use 1 to 64 letters, digits, '.', '@', '_' or '-'")
    store.insert_user(engine, name, _HASHER.hash(_check_password(password)), _check_role(role), admin.name)
    return User(name, role)


def authenticate(engine: Engine, name: str, password: str) -> User:
    """The user if the name and password match an enabled account; PermissionDenied otherwise."""
    row = store.get_user(engine, name)
    try:
        ok = row is not None and _HASHER.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        raise PermissionDenied("wrong user name or password")
    if row["disabled"]:
        raise PermissionDenied(f"the account {name!r} is disabled; ask an admin")
    return User(row["name"], row["role"])


def require(user: User | None, role: str, engine: Engine | None = None) -> User:
    """Refuse unless ``user`` holds ``role`` or a higher one (and, given the store, is still enabled)."""
    if user is None:
        raise PermissionDenied("sign in first")
    if engine is not None and user.account:  # roles and accounts can change while a session is open
        row = store.get_user(engine, user.name)
        if row is None or row["disabled"]:
            raise PermissionDenied(f"the account {user.name!r} is disabled or gone")
        user = User(row["name"], row["role"])
    if ROLES.index(user.role) < ROLES.index(_check_role(role)):
        raise PermissionDenied(f"{user.name} is a {user.role}; this needs a {role}")
    return user


def _keep_an_admin(engine: Engine, name: str) -> None:
    """Refuse to leave the store without an enabled admin (nobody could manage accounts from the app)."""
    admins = [u for u in store.list_users(engine) if u["role"] == "admin" and not u["disabled"]]
    if [u["name"] for u in admins] == [name]:
        raise EsgDataError(f"{name} is the only enabled admin; make another admin first")


def set_role(engine: Engine, user: User | None, name: str, role: str) -> None:
    """An admin gives an account another role (audited)."""
    admin = require(user, "admin", engine)
    if _check_role(role) != "admin":
        _keep_an_admin(engine, name)
    store.update_user(engine, name, admin.name, "user_role", role=role)


def set_disabled(engine: Engine, user: User | None, name: str, disabled: bool) -> None:
    """An admin disables (or enables again) an account; its reviews and audit entries stay (audited).

    Disabling ends the account's dashboard sessions at their next request (require and
    sessions.resume look the account up every time).
    """
    admin = require(user, "admin", engine)
    if disabled:
        _keep_an_admin(engine, name)
    store.update_user(
        engine, name, admin.name, "user_disable" if disabled else "user_enable", disabled=disabled
    )


def set_password(engine: Engine, user: User | None, name: str, password: str) -> None:
    """An admin resets an account's password (audited, the hash never is)."""
    admin = require(user, "admin", engine)
    digest = _HASHER.hash(_check_password(password))
    store.update_user(engine, name, admin.name, "user_password", password_hash=digest)


def list_users(engine: Engine) -> list[dict[str, object]]:
    """Every account with its role and whether it is disabled."""
    return store.list_users(engine)
