"""Shared fixtures: a fresh store per test (SQLite, and PostgreSQL when given), the seed, ../shared."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from esgdata import schema, store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_fab0cea01f7ba7df.txt"
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("ESGDATA_TEST_PG_URL", "")  # the owner role: migrations, and emptying the database
# The app's role (SELECT and INSERT on the audit log, nothing more): PostgreSQL tests connect as it
# when it is given, as a team's dashboards do; .ci/run creates both roles.
PG_APP_URL = os.environ.get("ESGDATA_TEST_PG_APP_URL", "")

# The contract (../shared/spec/extraction.md), restated once for the tests, independently of esgdata.
SPEC_COMMITMENT_COLUMNS = [
    "source_file", "release_date", "release_title", "organization", "speaker", "text", "kind",
    "pillars", "themes", "target_years", "confidence",
]  # fmt: skip
SPEC_RELEASE_COLUMNS = [
    "source_file", "release_date", "release_title", "language", "organization", "commitments",
]  # fmt: skip
SPEC_THEME_PILLARS = [
    ("climate", "E"), ("energy", "E"), ("pollution", "E"), ("water", "E"), ("circular", "E"),
    ("ecology", "E"), ("green_finance", "E"), ("health_safety", "S"), ("rural", "S"), ("community", "S"),
    ("workforce", "S"), ("innovation", "S"), ("international", "S"), ("customers", "S"), ("esg", "G"),
    ("governance", "G"), ("risk_compliance", "G"), ("party", "G"), ("strategy", "G"),
]  # fmt: skip
# CI sets this: a missing PostgreSQL server or browser then fails the run instead of skipping.
REQUIRE_SERVICES = os.environ.get("ESGDATA_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, unless CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (ESGDATA_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own store or settings."""
    for name in ("ESGDATA_DB_URL", "ESGDATA_MAX_FILE_MB", "ESGDATA_REQUIRE_LOGIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ESGDATA_DATA_DIR", str(tmp_path / "data"))


class OutsideLoopback(OSError):
    """A test tried to reach a host that is not this machine."""


def _loopback(host: object) -> bool:
    if host in (None, "", "localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host)).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_request_leaves_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every connection and name lookup a test makes stays on this machine; any other fails the test.

    The product may catch the error (a fetch reports it as a failed page), so attempts are also
    recorded and checked when the test ends.
    """
    attempts: list[str] = []
    real_getaddrinfo, real_connect, real_connect_ex = (
        socket.getaddrinfo,
        socket.socket.connect,
        socket.socket.connect_ex,
    )

    def refuse(what: str) -> OutsideLoopback:
        attempts.append(what)
        return OutsideLoopback(f"tests stay on loopback: refused {what}")

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _loopback(host):
            raise refuse(f"a name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    def checked(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):  # type: ignore[index]
            raise refuse(f"a connection to {address!r}")

    def connect(sock: socket.socket, address: object) -> None:
        checked(sock, address)
        return real_connect(sock, address)  # type: ignore[arg-type]

    def connect_ex(sock: socket.socket, address: object) -> int:
        checked(sock, address)
        return real_connect_ex(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield attempts
    assert not attempts, f"a test tried to leave loopback: {attempts}"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its real cost takes 0.1 s a hash; tests hash many passwords and test no crypto."""
    from argon2 import PasswordHasher

    from esgdata import users

    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches(request: pytest.FixtureRequest) -> Iterator[None]:
    """Streamlit's caches live for the whole pytest process; each app test starts from none."""
    if "streamlit" not in sys.modules:  # tests that never touched the app have nothing cached
        yield
        return
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def shared() -> Path:
    """The read-only ../shared folder (corpus, gold, spec); tests needing it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS meta"))
    engine.dispose()


def pg_connect() -> Engine:
    """An emptied PostgreSQL test store, connected as the app's role when there is one (the owner
    creates the schema and grants it), else as the owner."""
    _reset_postgres(PG_URL)
    if PG_APP_URL:
        return store.connect(PG_APP_URL, owner_url=PG_URL)
    return store.connect(PG_URL, owner_url="")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty store on each database the run can reach."""
    if request.param == "postgresql":
        if not PG_URL:
            skip_or_fail("no PostgreSQL server: set ESGDATA_TEST_PG_URL")
        eng = pg_connect()
    else:
        eng = store.connect(f"sqlite:///{tmp_path / 'store.db'}")
    yield eng
    eng.dispose()
