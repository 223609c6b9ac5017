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
        "ESGDATA_DB_OWNER_URL",
        "",
        "PostgreSQL only: the URL of the role that owns the tables. Migrations run as it and grant "
        "the ESGDATA_DB_URL role what the product needs (the audit log: read and append only). "
        "Empty means ESGDATA_DB_URL runs migrations itself.",
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
        "ESGDATA_FETCH_DELAY",
        "1",
        "Seconds between two requests to the same web site when fetching sources "
        "(a larger Crawl-delay in the site's robots.txt wins).",
    ),
    Setting(
        "ESGDATA_FETCH_TIMEOUT",
        "20",
        "Seconds any one network wait of a fetch may take (connecting, each read) before the page fails.",
    ),
    Setting(
        "ESGDATA_FETCH_TIME_LIMIT",
        "600",
        "Seconds a whole fetch run may take; pages left over wait for the next run.",
    ),
    Setting(
        "ESGDATA_FETCH_MAX_PAGES",
        "200",
        "Article pages one fetch run requests at most (list pages, feeds and sitemaps not counted).",
    ),
    Setting(
        "ESGDATA_FETCH_DEPTH",
        "3",
        "List pages followed per source: the first one and the 'next page' links after it.",
    ),
    Setting(
        "ESGDATA_FETCH_CONTACT",
        "",
        "A URL or e-mail address added to the fetcher's User-Agent so site owners can reach you.",
    ),
    Setting(
        "ESGDATA_REQUIRE_LOGIN",
        "0",
        "1 means the dashboard asks for a sign-in before showing anything; "
        "0 means only review actions need one.",
    ),
    Setting(
        "ESGDATA_SESSION_HOURS",
        "12",
        "Hours a dashboard sign-in lasts: a reload within them keeps the person signed in.",
    ),
    Setting(
        "ESGDATA_SECRET_KEY",
        "",
        "Secret that signs the dashboard's session cookies (give every dashboard process the same). "
        "Empty means one generated once into the data folder (session-secret).",
    ),
    Setting(
        "ESGDATA_TRAINING_DIR",
        "",
        "Folder with the labelled releases `esgdata model train` and `evaluate` read "
        "(eval/gold/*.jsonl, eval/heldout.txt, corpus/). Empty means a shared/ folder beside the repository.",
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
    training_dir: Path
    db_owner_url: str = ""
    session_hours: float = 12.0
    secret_key: str = ""


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how much the fetcher fetches (validated ESGDATA_FETCH_* settings)."""

    delay: float
    timeout: float
    time_limit: float
    max_pages: int
    depth: int
    contact: str


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
    session_hours = _number("ESGDATA_SESSION_HOURS", env, minimum=0.01)
    seeds = _env("ESGDATA_SEEDS_DIR", env)
    repository = Path(__file__).resolve().parent.parent
    training = _env("ESGDATA_TRAINING_DIR", env)
    return Config(
        data_dir=data_dir,
        db_url=db_url,
        seeds_dir=Path(seeds) if seeds else repository / "seeds",
        max_file_bytes=int(max_mb * MB),
        require_login=login in {"1", "true", "yes"},
        training_dir=Path(training) if training else repository.parent / "shared",
        db_owner_url=_env("ESGDATA_DB_OWNER_URL", env),
        session_hours=session_hours,
        secret_key=_env("ESGDATA_SECRET_KEY", env),
    )


def _number(name: str, env: dict[str, str], *, minimum: float, integer: bool = False) -> float:
    raw = _env(name, env)
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{name} must be {kind}, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def load_fetch_settings(environ: dict[str, str] | None = None) -> FetchSettings:
    """Read and validate the ESGDATA_FETCH_* settings."""
    env = dict(os.environ if environ is None else environ)
    return FetchSettings(
        delay=_number("ESGDATA_FETCH_DELAY", env, minimum=0),
        timeout=_number("ESGDATA_FETCH_TIMEOUT", env, minimum=0.1),
        time_limit=_number("ESGDATA_FETCH_TIME_LIMIT", env, minimum=1),
        max_pages=int(_number("ESGDATA_FETCH_MAX_PAGES", env, minimum=1, integer=True)),
        depth=int(_number("ESGDATA_FETCH_DEPTH", env, minimum=1, integer=True)),
        contact=_env("ESGDATA_FETCH_CONTACT", env),
    )
