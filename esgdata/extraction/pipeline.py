"""The extraction pipeline: a Release in, its commitments out, each with its evidence."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from collections import Counter

from .. import __version__
from ..models import Achievement, Commitment, Extraction, Release, Span
from . import kinds, lexicon, organizations, segment, targets, themes
from .matcher import fold, lower
from .speakers import SpeakerTracker

RULES_VERSION = "1"


def extractor_version() -> str:
    """Changes whenever the code's rules or a lexicon change, so stores know to re-extract."""
    return f"{__version__}+r{RULES_VERSION}.{lexicon.fingerprint()}"


def commitment_id(source_file: str, text: str, occurrence: int) -> str:
    """Stable id: the same words in the same release keep the same id across re-ingests."""
    key = f"{source_file}\x1f{' '.join(text.split())}\x1f{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


class _Index:
    """Spans over the whole body, looked up per unit by offsets."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]

    def overlapping(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1
        while i >= 0:
            if self.spans[i].end > start:
                return True
            if self.spans[i].start < start - 200:  # no name is that long
                return False
            i -= 1
        return False

    def within(self, start: int, end: int) -> list[Span]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.spans) and self.spans[i].start < end:
            if self.spans[i].end <= end:
                out.append(self.spans[i])
            i += 1
        return out


def _relative(spans: list[Span], offset: int) -> list[Span]:
    return [Span(s.label, s.start - offset, s.end - offset, s.text) for s in spans]


def extract(release: Release) -> Extraction:
    """Find every commitment in ``release``; deterministic for the same release and version."""
    if not release.organization:
        org = organizations.release_organization(release.title, release.paragraphs, release.language)
        release = dataclasses.replace(release, organization=org)
    body = release.body
    language = release.language
    folded = fold(body)
    low = lower(folded)
    named = organizations.find(body, folded, low)
    orgs = _Index([s for s in named if not organizations.is_publisher(s.label)])
    # Theme words inside an organisation's name ("China Energy Conservation ...") are a name, not a theme.
    theme_spans = _Index([s for s in themes.find(body, folded, low) if not orgs.overlapping(s.start, s.end)])
    cues = _Index(kinds.cue_matcher(language).find(body, folded, low))
    release_year = int(release.date[:4]) if release.date else None
    tracker = SpeakerTracker(language, body)
    version = extractor_version()
    seen: Counter[str] = Counter()
    found = []
    achieved: list[Achievement] = []
    for unit in segment.units(body, language):
        speaker = tracker.speaker_for(unit)
        unit_cues = _relative(cues.within(unit.start, unit.end), unit.start)
        unit_orgs = orgs.within(unit.start, unit.end)
        years: list[int] = []

        def has_target(text: str = unit.text, found: list[int] = years) -> bool:
            found.extend(targets.target_years(text, language, release_year))
            return bool(found) or targets.quantity(text) is not None

        decision = kinds.classify(
            unit.text,
            unit_cues,
            language=language,
            orgs=_relative(unit_orgs, unit.start),
            speaking=bool(speaker),
            marker=unit.marker,
            has_target=has_target,
            lead_in=unit.lead_in,
        )
        if decision.kind is None or decision.cue is None:
            done = next((c for c in unit_cues if c.label == "achieved"), None)
            if done is not None:
                reported = themes.theme_ids(themes.resolve_weak(theme_spans.within(unit.start, unit.end)))
                if reported:
                    achieved.append(
                        Achievement(
                            commitment_id(release.source_file, "achieved\x1f" + unit.text, 0),
                            release.source_file,
                            unit.start,
                            unit.end,
                            unit.text,
                            reported,
                            done.text,
                        )
                    )
            continue
        evidence = themes.resolve_weak(theme_spans.within(unit.start, unit.end))
        theme_ids = themes.theme_ids(evidence)
        occurrence = seen[unit.text]
        seen[unit.text] += 1
        cue = decision.cue
        committer = next((s.label for s in unit_orgs if s.start - unit.start < cue.start), "")
        found.append(
            Commitment(
                id=commitment_id(release.source_file, unit.text, occurrence),
                source_file=release.source_file,
                start=unit.start,
                end=unit.end,
                text=unit.text,
                kind=decision.kind,
                themes=theme_ids,
                pillars=themes.pillars(theme_ids),
                target_years=tuple(years) if decision.kind == "target" else (),
                speaker=speaker,
                organization=committer or release.organization,
                confidence=decision.confidence,
                cue=Span(
                    f"{decision.kind}: {decision.reason}",
                    unit.start + cue.start,
                    unit.start + cue.end,
                    cue.text,
                ),
                theme_evidence=tuple(evidence),
                extractor_version=version,
            )
        )
    return Extraction(release, tuple(found), tuple(achieved))


def classify_text(
    text: str, *, language: str | None = None, release_year: int | None = None
) -> dict[str, object]:
    """Classify one sentence on its own (no release around it): kind or None, themes, years, evidence."""
    from ..readers.release import detect_language

    language = language or detect_language(text)
    folded = fold(text)
    orgs = [s for s in organizations.find(text, folded) if not organizations.is_publisher(s.label)]
    units = segment.units(text.replace("\n\n", " "), language)
    marker = units[0].marker if units else ""
    years = targets.target_years(text, language, release_year)
    decision = kinds.classify(
        text,
        kinds.cue_matcher(language).find(text, folded),
        language=language,
        orgs=orgs,
        speaking=False,
        marker=marker,
        has_target=lambda: bool(years) or targets.quantity(text) is not None,
    )
    evidence = themes.resolve_weak(
        [s for s in themes.find(text, folded) if not any(o.start < s.end and s.start < o.end for o in orgs)]
    )
    ids = themes.theme_ids(evidence)
    return {
        "text": text,
        "language": language,
        "kind": decision.kind,
        "confidence": decision.confidence if decision.kind else 0.0,
        "themes": list(ids),
        "pillars": list(themes.pillars(ids)),
        "target_years": years if decision.kind == "target" else [],
        "organizations": [s.label for s in orgs],
        "evidence": {
            "rule": decision.reason,
            "cue": {
                "words": decision.cue.text,
                "start": decision.cue.start,
                "end": decision.cue.end,
            }
            if decision.cue
            else None,
            "themes": [{"theme": s.label, "words": s.text, "start": s.start, "end": s.end} for s in evidence],
        },
    }
