"""Typed records that flow from a file to the store: documents, releases, commitments."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("target", "pledge", "practice")
PILLARS: dict[str, str] = {"E": "Environmental", "S": "Social", "G": "Governance"}


@dataclass(frozen=True)
class Document:
    """What a reader returns: a file's text plus any title or date its format carries."""

    source_file: str
    format: str
    text: str
    content_hash: str
    meta_title: str = ""
    meta_date: str = ""
    encoding: str = ""
    warnings: tuple[str, ...] = ()  # what the reader noticed (a library's complaints about the file)


@dataclass(frozen=True)
class Release:
    """One press release, parsed: header fields and body paragraphs."""

    source_file: str
    content_hash: str
    title: str
    date: str  # YYYY-MM-DD, or "" when the release gives none
    source: str
    language: str  # "en" or "zh"
    organization: str
    paragraphs: tuple[str, ...]
    format: str = "txt"
    warnings: tuple[str, ...] = ()
    url: str = ""  # the web page it was fetched from, if it was

    @property
    def body(self) -> str:
        """Paragraphs joined by blank lines; every commitment offset points into this."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Span:
    """A piece of evidence: which words at which body offsets made a rule fire."""

    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Commitment:
    """One commitment extracted from a release, with the evidence behind every field."""

    id: str
    source_file: str
    start: int
    end: int
    text: str
    kind: str
    themes: tuple[str, ...]
    pillars: tuple[str, ...]
    target_years: tuple[int, ...]
    speaker: str
    organization: str
    confidence: float
    cue: Span
    theme_evidence: tuple[Span, ...] = ()
    extractor_version: str = ""


@dataclass(frozen=True)
class Achievement:
    """A sentence reporting a result as done ("has achieved", 提前完成): evidence a promise was kept."""

    id: str
    source_file: str
    start: int
    end: int
    text: str
    themes: tuple[str, ...]
    cue: str


@dataclass(frozen=True)
class Extraction:
    """A release, the commitments found in it, and the results it reports as achieved."""

    release: Release
    commitments: tuple[Commitment, ...] = field(default_factory=tuple)
    achievements: tuple[Achievement, ...] = field(default_factory=tuple)
    extractor_version: str = ""  # the code, lexicons and weights that made it


@dataclass(frozen=True)
class Failure:
    """A file that could not be processed, and why."""

    path: str
    reason: str
