"""Dashboard sessions: a signed, expiring token finds the person again after a reload; a forged,
expired or signed-out token, or one of a disabled account, is refused."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from esgdata import config, sessions, store, users
from esgdata.errors import PermissionDenied

PASSWORD = "long enough password"
KEY = "a test secret that is long enough"


@pytest.fixture
def rita(engine: Engine) -> users.User:
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    return users.authenticate(engine, "rita", PASSWORD)


def test_a_token_finds_the_person_again_with_their_current_role(engine: Engine, rita: users.User) -> None:
    token = sessions.start(engine, rita, hours=1, key=KEY)
    assert sessions.resume(engine, token, hours=1, key=KEY) == rita
    users.set_role(engine, users.operator(), "rita", "viewer")
    assert sessions.resume(engine, token, hours=1, key=KEY).role == "viewer"
    assert [a["action"] for a in store.audit_rows(engine, "rita")][-2:] == ["sign in", "user_role"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature altered
        lambda t: "eyJzaWQiOiJhZG1pbiJ9" + t[t.index(".") :],  # another payload, the old signature
        lambda t: "not a token at all",
        lambda t: "",
    ],
)
def test_a_forged_token_is_refused(engine: Engine, rita: users.User, forge) -> None:
    token = sessions.start(engine, rita, hours=1, key=KEY)
    with pytest.raises(PermissionDenied, match="not valid"):
        sessions.resume(engine, forge(token), hours=1, key=KEY)


def test_a_token_signed_with_another_secret_is_refused(engine: Engine, rita: users.User) -> None:
    token = sessions.start(engine, rita, hours=1, key="someone else's secret")
    with pytest.raises(PermissionDenied, match="not valid"):
        sessions.resume(engine, token, hours=1, key=KEY)


def test_an_expired_token_is_refused(
    engine: Engine, rita: users.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sessions.start(engine, rita, hours=1, key=KEY)
    later = time.time() + 2 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(PermissionDenied, match="expired"):
        sessions.resume(engine, token, hours=1, key=KEY)


def test_the_store_refuses_a_session_past_its_end_even_with_a_longer_setting(
    engine: Engine, rita: users.User
) -> None:
    token = sessions.start(engine, rita, hours=0.0001, key=KEY)  # the store says: over in 0.36 s
    time.sleep(0.5)
    with pytest.raises(PermissionDenied, match="expired"):
        sessions.resume(engine, token, hours=12, key=KEY)


def test_signing_out_ends_the_session_for_every_copy_of_the_token(engine: Engine, rita: users.User) -> None:
    token = sessions.start(engine, rita, hours=1, key=KEY)
    other = sessions.start(engine, rita, hours=1, key=KEY)  # another browser
    assert sessions.end(engine, token, key=KEY) is True
    with pytest.raises(PermissionDenied, match="signed out"):
        sessions.resume(engine, token, hours=1, key=KEY)
    assert sessions.end(engine, token, key=KEY) is False
    assert sessions.resume(engine, other, hours=1, key=KEY) == rita
    assert [a["action"] for a in store.audit_rows(engine, "rita")].count("sign out") == 1


def test_a_disabled_account_cannot_resume(engine: Engine, rita: users.User) -> None:
    token = sessions.start(engine, rita, hours=1, key=KEY)
    users.set_disabled(engine, users.operator(), "rita", True)
    with pytest.raises(PermissionDenied, match="disabled"):
        sessions.resume(engine, token, hours=1, key=KEY)


def test_the_command_lines_operator_cannot_start_a_dashboard_session(engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        sessions.start(engine, users.operator(), hours=1, key=KEY)


def test_the_secret_is_made_once_in_the_data_folder_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_DATA_DIR", str(tmp_path / "data"))
    first = sessions.secret()
    path = tmp_path / "data" / sessions.SECRET_FILE
    assert len(first) >= 40 and path.read_text(encoding="ascii") == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sessions.secret() == first  # every process and every restart agree
    monkeypatch.setenv("ESGDATA_SECRET_KEY", "from the environment")
    assert sessions.secret() == "from the environment"
    assert config.load_config().session_hours == 12.0
    monkeypatch.setenv("ESGDATA_SESSION_HOURS", "0")
    with pytest.raises(Exception, match="ESGDATA_SESSION_HOURS must be at least"):
        config.load_config()
