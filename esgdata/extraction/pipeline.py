"""The extraction pipeline: a Release in, its commitments out, each with its evidence.

The rules find evidence (units, cues, names, years, speakers, themes); the model decides
which units are commitments and of which kind; the evidence stays on every row.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from collections import Counter
from dataclasses import dataclass

from .. import __version__
from ..models import Achievement, Commitment, Extraction, Release, Span
from . import cues, features, lexicon, model, organizations, segment, targets, themes
from .features import Context, UnitEvidence
from .matcher import fold, lower
from .speakers import SpeakerTracker, attribute_quotes

_STANDALONE = "\x00sentence"  # the source name of a sentence classified without a release


def extractor_version(weights: dict[str, model.LinearModel] | None = None) -> str:
    """Changes whenever the code, a lexicon or the weights in use change, so stores re-extract."""
    chosen = [(weights or {}).get(lang) or model.shipped(lang) for lang in ("en", "zh")]
    tag = "".join(str(w.meta.get("sha", ""))[:4] for w in chosen)
    return f"{__version__}+f{features.FEATURES_VERSION}.{lexicon.fingerprint()}.{tag}"


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

    def within(self, start: int, end: int, *, relative: bool = False) -> list[Span]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.spans) and self.spans[i].start < end:
            s = self.spans[i]
            if s.end <= end:
                out.append(Span(s.label, s.start - start, s.end - start, s.text) if relative else s)
            i += 1
        return out


@dataclass(frozen=True)
class Prepared:
    """A release read by the rules: its units with their evidence, ready for the model."""

    release: Release
    context: Context
    units: list[segment.Unit]
    evidence: list[UnitEvidence]
    theme_spans: _Index
    cue_spans: _Index


def prepare(release: Release) -> Prepared:
    """Run every rule over ``release``: who is behind it, its units, their cues, names, years."""
    language = release.language
    if not release.organization:
        org = organizations.release_organization(release.title, release.paragraphs, language)
        release = dataclasses.replace(release, organization=org)
    body = release.body
    folded = fold(body)
    low = lower(folded)
    named = organizations.find(body, folded, low)
    orgs = _Index([s for s in named if not organizations.is_publisher(s.label)])
    others = _Index([s for s in orgs.spans if s.label != release.organization])
    # Theme words inside an organisation's name ("China Energy Conservation ...") are a name, not a theme.
    theme_spans = _Index([s for s in themes.find(body, folded, low) if not orgs.overlapping(s.start, s.end)])
    cue_spans = _Index(cues.cue_matcher(language).find(body, folded, low))
    release_year = int(release.date[:4]) if release.date else None
    names = organizations.release_names(release.title, release.paragraphs, language, release.organization)
    context = Context(language, release_year, names, standalone=release.source_file == _STANDALONE)
    tracker = SpeakerTracker(language, body, names, folded)
    units = segment.units(body, language)
    speakers = attribute_quotes(units, [tracker.speaker_for(unit) for unit in units])
    evidence = []
    last_paragraph, index = -1, 0
    for unit, speaker in zip(units, speakers, strict=True):
        index = index + 1 if unit.paragraph == last_paragraph else 0
        last_paragraph = unit.paragraph
        unit_orgs = orgs.within(unit.start, unit.end, relative=True)
        evidence.append(
            UnitEvidence(
                text=unit.text,
                cues=cues.meaningful(
                    unit.text, cue_spans.within(unit.start, unit.end, relative=True), unit_orgs
                ),
                orgs=others.within(unit.start, unit.end, relative=True),
                years=targets.target_years(unit.text, language, release_year),
                quantity=targets.quantity(unit.text) is not None,
                marker=unit.marker,
                lead_in=unit.lead_in,
                speaker=speaker,
                paragraph=unit.paragraph,
                index_in_paragraph=index,
                folded=folded[unit.start : unit.end],
            )
        )
    return Prepared(release, context, units, evidence, theme_spans, cue_spans)


@dataclass(frozen=True)
class Verdict:
    """The model's decision on one unit."""

    probability: float
    kind: str | None
    reason: str
    cue: Span


def _decide(
    weights: model.LinearModel, ev: UnitEvidence, feats: dict[str, float], unit_start: int
) -> Verdict:
    p = weights.probability(feats)
    committing = [c for c in ev.cues if c.label in cues.COMMITTING]
    cue = committing[0] if committing else (ev.cues[0] if ev.cues else Span("unit", 0, 0, ""))
    span = Span(cue.label, unit_start + cue.start, unit_start + cue.end, cue.text)
    if p < weights.threshold:
        return Verdict(p, None, f"not a commitment: p={p:.2f}", span)
    kind = weights.kind_of(feats)
    why = ", ".join(features.describe(k) for k, _ in weights.weighed_most(feats))
    cue_words = f"{cue.label} cue '{cue.text}'" if committing else "no cue word"
    reason = f"{kind}: p={p:.2f}; {cue_words}; subject: {features.subject_of(feats)}; weighed most: {why}"
    return Verdict(p, kind, reason, span)


def extract(release: Release, weights: dict[str, model.LinearModel] | None = None) -> Extraction:
    """Find every commitment in ``release``; deterministic for the same release and weights."""
    prepared = prepare(release)
    release = prepared.release
    language = release.language
    chosen = (weights or {}).get(language) or model.shipped(language)
    version = extractor_version(weights)
    feats = features.release_features(prepared.evidence, prepared.context, chosen.vocabulary)
    seen: Counter[str] = Counter()
    found = []
    achieved: list[Achievement] = []
    for unit, ev, f in zip(prepared.units, prepared.evidence, feats, strict=True):
        verdict = _decide(chosen, ev, f, unit.start)
        if verdict.kind is None:
            done = next((c for c in ev.cues if c.label == "achieved"), None)
            if done is not None:
                reported = themes.theme_ids(
                    themes.resolve_weak(prepared.theme_spans.within(unit.start, unit.end))
                )
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
        evidence = themes.resolve_weak(prepared.theme_spans.within(unit.start, unit.end))
        theme_ids = themes.theme_ids(evidence)
        occurrence = seen[unit.text]
        seen[unit.text] += 1
        committer = next((o.label for o in ev.orgs if o.start < verdict.cue.start - unit.start), "")
        found.append(
            Commitment(
                id=commitment_id(release.source_file, unit.text, occurrence),
                source_file=release.source_file,
                start=unit.start,
                end=unit.end,
                text=unit.text,
                kind=verdict.kind,
                themes=theme_ids,
                pillars=themes.pillars(theme_ids),
                target_years=tuple(ev.years) if verdict.kind == "target" else (),
                speaker=ev.speaker,
                organization=committer or release.organization,
                confidence=round(verdict.probability, 2),
                cue=Span(verdict.reason, verdict.cue.start, verdict.cue.end, verdict.cue.text),
                theme_evidence=tuple(evidence),
                extractor_version=version,
            )
        )
    return Extraction(release, tuple(found), tuple(achieved), version)


def classify_text(
    text: str, *, language: str | None = None, release_year: int | None = None
) -> dict[str, object]:
    """Classify one sentence on its own (no release around it): kind or None, themes, years, evidence."""
    from ..readers.release import detect_language

    language = language or detect_language(text)
    flat = " ".join(text.split())
    date = f"{release_year}-01-01" if release_year else ""
    release = Release(_STANDALONE, "", "", date, "", language, "", (flat,))
    prepared = prepare(release)
    weights = model.shipped(language)
    feats = features.release_features(prepared.evidence, prepared.context, weights.vocabulary) or [{}]
    ev, f = (prepared.evidence or [UnitEvidence(flat)])[0], feats[0]
    verdict = _decide(weights, ev, f, 0)
    evidence = themes.resolve_weak(prepared.theme_spans.within(0, len(flat)))
    ids = themes.theme_ids(evidence)
    return {
        "text": text,
        "language": language,
        "kind": verdict.kind,
        "confidence": round(verdict.probability, 2) if verdict.kind else 0.0,
        "themes": list(ids),
        "pillars": list(themes.pillars(ids)),
        "target_years": list(ev.years) if verdict.kind == "target" else [],
        "organizations": [
            s.label for s in organizations.find(flat) if not organizations.is_publisher(s.label)
        ],
        "evidence": {
            "rule": verdict.reason,
            "cue": {"words": verdict.cue.text, "start": verdict.cue.start, "end": verdict.cue.end}
            if verdict.cue.text
            else None,
            "weighed_most": [{"feature": k, "weight": round(w, 3)} for k, w in weights.weighed_most(f, 5)],
            "themes": [{"theme": s.label, "words": s.text, "start": s.start, "end": s.end} for s in evidence],
        },
    }
