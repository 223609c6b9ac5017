"""All settings in one place: read from the environment, validated once, documented."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from .errors import ConfigError

# Sizes are in megabytes of 1,000,000 bytes everywhere: settings, messages, README.
MB = 1_000_000


@dataclass(frozen=True)
class Setting:
    """One environment variable the product reads, with its default and help text."""

    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ESGDATA_DATA_DIR",
        "",
        "Folder for the default SQLite store and uploaded files. Empty means the per-user data "
        "folder (on Linux ~/.local/share/esgdata), wherever the command is typed.",
    ),
    Setting(
        "ESGDATA_DB_URL",
        "",
        "SQLAlchemy database URL, e.g. postgresql+psycopg://user:pw@host/db. "
        "Empty means the SQLite file esgdata.db in ESGDATA_DATA_DIR.",
    ),
    Setting(
        "ESGDATA_SEEDS_DIR",
        "",
        "Folder of sample releases the dashboard ingests into an empty store. "
        "Empty means the seeds/ folder of the repository.",
    ),
    Setting(
        "ESGDATA_MAX_FILE_MB",
        "20",
        "Files larger than this many megabytes (1 MB = 1,000,000 bytes) are refused by ingest, "
        "extract and upload.",
    ),
    Setting(
        "ESGDATA_REQUIRE_LOGIN",
        "0",
        "1 means the dashboard asks for a sign-in before showing anything; "
        "0 means only review actions need one.",
    ),
)


@dataclass(frozen=True)
class Config:
    """Validated settings."""

    data_dir: Path
    db_url: str
    seeds_dir: Path
    max_file_bytes: int
    require_login: bool


def _env(name: str, environ: dict[str, str]) -> str:
    default = next(s.default for s in SETTINGS if s.env == name)
    return environ.get(name, "").strip() or default


def default_data_dir() -> Path:
    """The per-user data folder: the store must not follow the current directory."""
    return Path(user_data_dir("esgdata", appauthor=False))


def format_mb(size: float) -> str:
    """A byte count in the product's one unit: 20000000 -> "20 MB", 5000 -> "0.005 MB"."""
    value = size / MB
    return (f"{value:.1f}".removesuffix(".0") if value >= 1 else f"{value:.2g}") + " MB"


def load_config(environ: dict[str, str] | None = None) -> Config:
    """Read and validate every setting from ``environ`` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    raw_dir = _env("ESGDATA_DATA_DIR", env)
    data_dir = Path(raw_dir).expanduser() if raw_dir else default_data_dir()
    db_url = _env("ESGDATA_DB_URL", env) or f"sqlite:///{data_dir / 'esgdata.db'}"
    raw_mb = _env("ESGDATA_MAX_FILE_MB", env)
    try:
        max_mb = float(raw_mb)
    except ValueError:
        raise ConfigError(f"ESGDATA_MAX_FILE_MB must be a number of megabytes, not {raw_mb!r}") from None
    if max_mb <= 0:
        raise ConfigError(f"ESGDATA_MAX_FILE_MB must be positive, not {raw_mb!r}")
    login = _env("ESGDATA_REQUIRE_LOGIN", env).lower()
    if login not in {"0", "1", "true", "false", "yes", "no"}:
        raise ConfigError(f"ESGDATA_REQUIRE_LOGIN must be 0 or 1, not {login!r}")
    seeds = _env("ESGDATA_SEEDS_DIR", env)
    return Config(
        data_dir=data_dir,
        db_url=db_url,
        seeds_dir=Path(seeds) if seeds else Path(__file__).resolve().parent.parent / "seeds",
        max_file_bytes=int(max_mb * MB),
        require_login=login in {"1", "true", "yes"},
    )
