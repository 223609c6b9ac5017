"""Accounts, roles and sign-in. Role checks live here, in the data layer, not only in the UI."""

from __future__ import annotations

import re
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
    """A signed-in person."""

    name: str
    role: str


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise EsgDataError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise EsgDataError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def add_user(engine: Engine, name: str, password: str, role: str, *, actor: str) -> User:
    """Create an account; the password is stored only as a salted argon2 hash."""
    if not _NAME.fullmatch(name):
        raise EsgDataError(f"user name {name!r}: use 1 to 64 letters, digits, '.', '@', '_' or '-'")
    store.insert_user(engine, name, _HASHER.hash(_check_password(password)), _check_role(role), actor)
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
    if engine is not None:  # roles and accounts can change while a session is open
        row = store.get_user(engine, user.name)
        if row is None or row["disabled"]:
            raise PermissionDenied(f"the account {user.name!r} is disabled or gone")
        user = User(row["name"], row["role"])
    if ROLES.index(user.role) < ROLES.index(_check_role(role)):
        raise PermissionDenied(f"{user.name} is a {user.role}; this needs a {role}")
    return user


def set_role(engine: Engine, name: str, role: str, *, actor: str) -> None:
    """Give an account another role (audited)."""
    store.update_user(engine, name, actor, "user_role", role=_check_role(role))


def set_disabled(engine: Engine, name: str, disabled: bool, *, actor: str) -> None:
    """Disable (or enable again) an account; its reviews and audit entries stay (audited)."""
    store.update_user(engine, name, actor, "user_disable" if disabled else "user_enable", disabled=disabled)


def set_password(engine: Engine, name: str, password: str, *, actor: str) -> None:
    """Replace an account's password (audited, the hash never is)."""
    digest = _HASHER.hash(_check_password(password))
    store.update_user(engine, name, actor, "user_password", password_hash=digest)


def list_users(engine: Engine) -> list[dict[str, object]]:
    """Every account with its role and whether it is disabled."""
    return store.list_users(engine)
