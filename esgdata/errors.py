"""Named exceptions of the data layer; the CLI and the app turn them into sentences."""

from __future__ import annotations


class EsgDataError(Exception):
    """Base class of every error esgdata raises on purpose."""


class ReadError(EsgDataError):
    """A file could not be read as a release; the message says which file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFormat(ReadError):
    """The file's extension is not one of the supported formats."""


class ConfigError(EsgDataError):
    """A setting has a value that cannot be used."""


class StoreError(EsgDataError):
    """The store cannot do what was asked (missing release, bad schema version...)."""


class PermissionDenied(EsgDataError):
    """The user may not do this (wrong role, disabled account, not signed in)."""


class ConflictError(EsgDataError):
    """Someone else saved the same record first; ``current`` holds what they saved."""

    def __init__(self, current: dict[str, object], message: str = "") -> None:
        super().__init__(message or "someone else saved this record first")
        self.current = current
