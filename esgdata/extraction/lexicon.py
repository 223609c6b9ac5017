"""Loads and validates the lexicon data files in lexicons/ (themes, cues, organisations, people)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..errors import EsgDataError

# The contract's theme ids, in its order (spec section 3); the lexicon must define exactly these.
THEME_IDS: tuple[str, ...] = (
    "climate",
    "energy",
    "pollution",
    "water",
    "circular",
    "ecology",
    "green_finance",
    "health_safety",
    "rural",
    "community",
    "workforce",
    "innovation",
    "international",
    "customers",
    "esg",
    "governance",
    "risk_compliance",
    "party",
    "strategy",
)
LANGUAGES: tuple[str, ...] = ("en", "zh")
CUE_KINDS: tuple[str, ...] = (
    "future",
    "modal",
    "modal_object",
    "directive",
    "practice",
    "manner",
    "achieved",
    "agent",
    "forecast",
    "event",
    "report",
    "general",
    "hedge",
    "not",
)


class LexiconError(EsgDataError):
    """A lexicon file breaks its format; the message names the file and the entry."""


@dataclass(frozen=True)
class Theme:
    """A theme of the taxonomy with its keywords per language."""

    id: str
    pillar: str
    label: str
    label_zh: str
    keywords: dict[str, tuple[str, ...]]
    negatives: dict[str, tuple[str, ...]]
    weak: dict[str, tuple[str, ...]]  # count beside a strong theme of the same pillar, or alone
    context: dict[str, tuple[str, ...]]  # count only beside a strong theme of the same pillar


@dataclass(frozen=True)
class Organization:
    """An organisation the product recognises, with the names releases use for it."""

    key: str
    name: str
    aliases: dict[str, tuple[str, ...]]
    publisher: bool = False  # a news agency: it reports, it does not commit


# libyaml's safe loader reads the same documents about ten times faster (a tenth of a second at
# every start); PyYAML built without it falls back to the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> Any:
    text = (
        resources.files("esgdata.extraction").joinpath("lexicons").joinpath(name).read_text(encoding="utf-8")
    )
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise LexiconError(f"lexicons/{name}: not valid YAML: {exc}") from None


def _words(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise LexiconError(
            f"{where}: must be a list of non-empty strings (quote numbers and phrases with commas)"
        )
    if len(set(value)) != len(value):
        dupes = sorted({w for w in value if value.count(w) > 1})
        raise LexiconError(f"{where}: repeated entries {dupes}")
    return tuple(value)


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    """Theme id -> Theme, in the contract's order."""
    data = _load("themes.yaml")
    if not isinstance(data, dict) or tuple(data) != THEME_IDS:
        raise LexiconError(f"lexicons/themes.yaml: must define exactly the theme ids {THEME_IDS}, in order")
    out = {}
    for tid, entry in data.items():
        where = f"lexicons/themes.yaml: {tid}"
        if entry.get("pillar") not in ("E", "S", "G"):
            raise LexiconError(f"{where}: pillar must be E, S or G")
        out[tid] = Theme(
            id=tid,
            pillar=entry["pillar"],
            label=str(entry.get("label") or tid),
            label_zh=str(entry.get("label_zh") or ""),
            keywords={lang: _words(entry.get(lang), f"{where}.{lang}") for lang in LANGUAGES},
            negatives={lang: _words(entry.get(f"not_{lang}"), f"{where}.not_{lang}") for lang in LANGUAGES},
            weak={lang: _words(entry.get(f"weak_{lang}"), f"{where}.weak_{lang}") for lang in LANGUAGES},
            context={
                lang: _words(entry.get(f"context_{lang}"), f"{where}.context_{lang}") for lang in LANGUAGES
            },
        )
    return out


@lru_cache(maxsize=1)
def cues() -> dict[str, dict[str, tuple[str, ...]]]:
    """Language -> cue kind -> words."""
    data = _load("cues.yaml")
    out = {}
    for lang in LANGUAGES:
        section = data.get(lang) if isinstance(data, dict) else None
        if not isinstance(section, dict) or set(section) != set(CUE_KINDS):
            raise LexiconError(f"lexicons/cues.yaml: {lang} must have exactly the sections {CUE_KINDS}")
        out[lang] = {kind: _words(section[kind], f"lexicons/cues.yaml: {lang}.{kind}") for kind in CUE_KINDS}
    return out


@lru_cache(maxsize=1)
def organizations() -> dict[str, Organization]:
    """Short name -> Organization."""
    data = _load("organizations.yaml")
    if not isinstance(data, dict):
        raise LexiconError("lexicons/organizations.yaml: must map short names to entries")
    out = {}
    for key, entry in data.items():
        where = f"lexicons/organizations.yaml: {key}"
        if not isinstance(entry, dict) or not entry.get("name"):
            raise LexiconError(f"{where}: needs a name")
        aliases = {lang: _words(entry.get(lang), f"{where}.{lang}") for lang in LANGUAGES}
        if not any(aliases.values()):
            raise LexiconError(f"{where}: needs at least one alias")
        out[str(key)] = Organization(str(key), str(entry["name"]), aliases, bool(entry.get("publisher")))
    return out


PEOPLE_SECTIONS: tuple[str, ...] = (
    "surnames_en",
    "titles_en",
    "state_titles_en",
    "company_words_en",
    "company_suffixes_zh",
    "government_titles_en",
    "government_titles_zh",
    "verbs_en",
    "surnames_zh",
    "titles_zh",
    "verbs_zh",
    "not_names_zh",
)


@lru_cache(maxsize=1)
def people() -> dict[str, tuple[str, ...]]:
    """Surnames, job titles and speech verbs per language (see lexicons/people.yaml)."""
    data = _load("people.yaml")
    if not isinstance(data, dict) or set(data) != set(PEOPLE_SECTIONS):
        raise LexiconError(f"lexicons/people.yaml: must have exactly the sections {PEOPLE_SECTIONS}")
    return {key: _words(data[key], f"lexicons/people.yaml: {key}") for key in PEOPLE_SECTIONS}


@dataclass(frozen=True)
class Concept:
    """A term of the taxonomy finer than a theme (carbon peak, hydrogen), in both languages."""

    id: str
    theme: str
    label: str
    words: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def concepts() -> dict[str, Concept]:
    """Concept id -> Concept (see lexicons/concepts.yaml)."""
    data = _load("concepts.yaml")
    if not isinstance(data, dict):
        raise LexiconError("lexicons/concepts.yaml: must map concept ids to entries")
    out = {}
    for cid, entry in data.items():
        where = f"lexicons/concepts.yaml: {cid}"
        if not isinstance(entry, dict) or entry.get("theme") not in THEME_IDS:
            raise LexiconError(f"{where}: theme must be one of the theme ids")
        words = {lang: _words(entry.get(lang), f"{where}.{lang}") for lang in LANGUAGES}
        if not all(words.values()):
            raise LexiconError(f"{where}: needs English and Chinese words")
        out[str(cid)] = Concept(str(cid), entry["theme"], str(entry.get("label") or cid), words)
    return out


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of every lexicon file and the theme weights: part of the extractor version."""
    digest = hashlib.sha256()
    for name in ("themes.yaml", "cues.yaml", "organizations.yaml", "people.yaml", "concepts.yaml"):
        digest.update(resources.files("esgdata.extraction").joinpath("lexicons").joinpath(name).read_bytes())
    digest.update(resources.files("esgdata.extraction").joinpath("weights", "themes.json").read_bytes())
    return digest.hexdigest()[:8]


def pillar_of(theme_id: str) -> str:
    """E, S or G for a theme id."""
    return themes()[theme_id].pillar
