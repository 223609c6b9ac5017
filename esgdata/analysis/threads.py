"""Follow a promise across releases: threads of statements, what changed, and reported delivery.

A thread groups the commitments of one organisation that make the same promise, whatever
the wording or the language. Two statements make the same promise when they name the same
concepts of the taxonomy (lexicons/concepts.yaml, in English and Chinese: 碳达峰 = carbon
peak), helped by shared themes, shared target years and shared words. Statements join the
thread they resemble most, in release-date order, so the result is the same however the
releases were ingested. A reviewer's merge or split overrides the grouping and survives
re-ingest. A later sentence reporting a result as done ("has achieved", 提前完成) about the
same concepts is linked to the thread as evidence of delivery.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import Engine

from .. import export, review, store
from ..errors import EsgDataError, StoreError
from ..extraction import lexicon, organizations, similarity
from ..extraction.matcher import Matcher
from ..models import Extraction
from ..users import User, require

JOIN_THRESHOLD = 0.45  # similarity a statement needs to join a thread rather than start one
DELIVERY_THRESHOLD = 0.5
_NUMBER = re.compile(
    r"(\d+(?:\.\d+)?)\s*(%|percent|per cent|％|GW|MW|万千瓦|亿千瓦|billion|million|亿元|万吨)"
)


@lru_cache(maxsize=1)
def _concept_matcher() -> Matcher:
    return Matcher(
        {c.id: [w for words in c.words.values() for w in words] for c in lexicon.concepts().values()}
    )


def concepts_of(text: str) -> frozenset[str]:
    """The taxonomy concepts a text names, whatever its language (names of organisations aside)."""
    names = organizations.find(text)
    found = _concept_matcher().find(text)
    return frozenset(s.label for s in found if not any(n.start < s.end and s.start < n.end for n in names))


@dataclass(frozen=True)
class Statement:
    """One commitment as a thread sees it."""

    id: str
    organization: str
    date: str
    text: str
    kind: str
    themes: frozenset[str]
    years: tuple[int, ...]
    concepts: frozenset[str]
    source_file: str = ""
    start: int = 0  # offset in its release: statements of one release keep their order

    @cached_property
    def tokens(self) -> Counter[str]:
        return similarity.tokens(self.text)

    @cached_property
    def families(self) -> frozenset[str]:
        return _families(self.concepts)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Statement:
        """From a commitments.csv row (store.commitment_rows or review.reviewed_rows)."""
        return cls(
            id=str(row["id"]),
            organization=str(row["organization"]),
            date=str(row["release_date"] or ""),
            text=str(row["text"]),
            kind=str(row["kind"]),
            themes=frozenset(t for t in str(row["themes"]).split(";") if t),
            years=tuple(int(y) for y in str(row["target_years"]).split(";") if y),
            concepts=concepts_of(str(row["text"])),
            source_file=str(row.get("source_file", "")),
            start=int(row.get("start") or 0),
        )


@dataclass
class Thread:
    """Statements of one organisation making the same promise, oldest first."""

    id: str
    organization: str
    members: list[Statement] = field(default_factory=list)
    concept_counts: Counter[str] = field(default_factory=Counter)
    theme_counts: Counter[str] = field(default_factory=Counter)

    core: frozenset[str] = frozenset()  # the concepts at least half its statements name
    themes: frozenset[str] = frozenset()

    def add(self, s: Statement) -> None:
        self.members.append(s)
        self.concept_counts.update(s.concepts)
        self.theme_counts.update(s.themes)
        half = len(self.members) / 2
        self.core = frozenset(c for c, n in self.concept_counts.items() if n >= half) or self.concepts
        self.themes = frozenset(self.theme_counts)

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(self.concept_counts)

    @property
    def label(self) -> str:
        """The thread's main concepts and its latest target years, e.g. 'carbon peak · 2028'."""
        names = lexicon.concepts()
        top = [c for c, _ in sorted(self.concept_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]]
        # Ties broken by id: a statement's themes are a set, whose order changes from run to run.
        words = [names[c].label for c in top] or sorted(
            self.theme_counts, key=lambda t: (-self.theme_counts[t], t)
        )[:2]
        years = next((m.years for m in reversed(self.members) if m.years), ())
        return " · ".join([" / ".join(words) or "commitment", *map(str, years)])

    @property
    def first_date(self) -> str:
        return min((m.date for m in self.members if m.date), default="")

    @property
    def last_date(self) -> str:
        return max((m.date for m in self.members if m.date), default="")


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _concept_score(a: frozenset[str], b: frozenset[str]) -> float:
    # Half Jaccard, half containment: a short statement naming one concept of a longer one
    # restates part of it; two long statements must share most of what they name.
    shared = len(a & b)
    return 0.5 * shared / len(a | b) + 0.5 * shared / min(len(a), len(b)) if shared else 0.0


@lru_cache(maxsize=4096)
def _families(concepts: frozenset[str]) -> frozenset[str]:
    # Concepts of one theme belong together: carbon peak and neutrality are one dual-carbon promise.
    table = lexicon.concepts()
    return frozenset(table[c].theme for c in concepts)


def _score(
    concepts: frozenset[str],
    families: frozenset[str],
    themes: frozenset[str],
    years: Iterable[int],
    tokens: Counter[str],
    s: Statement,
) -> float:
    if not concepts & s.concepts:
        return 0.0  # nothing in common that the taxonomy can name: never the same promise
    named = 0.5 * _concept_score(concepts, s.concepts) + 0.5 * _concept_score(families, s.families)
    score = 0.6 * named + 0.15 * _jaccard(themes, s.themes) + 0.15 * similarity.overlap(tokens, s.tokens)
    years, theirs = set(years), set(s.years)
    if years and theirs and years & theirs:
        score += 0.1  # the same deadline confirms
    elif years and theirs and concepts != s.concepts:
        score -= 0.1  # different deadlines for goals that differ too: two promises, not a moved year
    return max(0.0, min(score, 1.0))


def statement_similarity(a: Statement, b: Statement) -> float:
    """0..1: how surely two statements of one organisation make the same promise."""
    return _score(a.concepts, a.families, a.themes, a.years, a.tokens, b)


def _thread_similarity(t: Thread, s: Statement) -> float:
    # Against the thread as a whole (what it names most) and its latest wording: cheap however long.
    last = t.members[-1]
    whole = _score(t.core, _families(t.core), t.themes, last.years, last.tokens, s)
    return max(statement_similarity(last, s), whole)


def thread_id(first: Statement) -> str:
    """Stable: a thread is named after its first statement."""
    return "T" + hashlib.sha1(first.id.encode()).hexdigest()[:11]


def group(statements: Iterable[Statement], overrides: Mapping[str, str | None] | None = None) -> list[Thread]:
    """Threads of ``statements``, oldest statement first in each.

    ``overrides`` maps a commitment id to the id of a commitment whose thread it must join
    (a reviewer's merge), or to None (a split: a thread of its own).
    """
    overrides = overrides or {}
    ordered = sorted(
        statements, key=lambda s: (s.organization, s.date or "9999", s.source_file, s.start, s.id)
    )
    threads: list[Thread] = []
    by_member: dict[str, Thread] = {}
    by_org_concept: dict[tuple[str, str], list[Thread]] = defaultdict(list)
    pending_merges: list[tuple[Statement, str]] = []
    for s in ordered:
        if s.id in overrides and overrides[s.id] is not None:
            pending_merges.append((s, str(overrides[s.id])))
            continue
        best: Thread | None = None
        if s.id not in overrides:  # a split statement always starts its own thread
            candidates = {id(t): t for c in s.concepts for t in by_org_concept[(s.organization, c)]}
            scored = [(_thread_similarity(t, s), t.id, t) for t in candidates.values()]
            scored = [x for x in scored if x[0] >= JOIN_THRESHOLD]
            if scored:
                best = max(scored, key=lambda x: (x[0], x[1]))[2]
        if best is None:
            best = Thread(thread_id(s), s.organization)
            threads.append(best)
        best.add(s)
        by_member[s.id] = best
        for c in s.concepts:
            if best not in by_org_concept[(s.organization, c)]:
                by_org_concept[(s.organization, c)].append(best)
    for s, anchor in pending_merges:  # merges follow their anchor wherever it went
        target = by_member.get(anchor)
        if target is None:
            target = Thread(thread_id(s), s.organization)
            threads.append(target)
        target.add(s)
        by_member[s.id] = target
    for t in threads:
        t.members.sort(key=lambda m: (m.date or "9999", m.source_file, m.start, m.id))
    return threads


@dataclass(frozen=True)
class Change:
    """What changed from one statement of a thread to the next."""

    date: str
    kind: str  # year moved, number changed, became a target, became a pledge, stopped appearing
    before: str
    after: str
    commitment_id: str


def _numbers(text: str) -> list[tuple[float, str]]:
    units = {"percent": "%", "per cent": "%", "％": "%"}
    return [(float(v), units.get(u, u)) for v, u in _NUMBER.findall(text)]


def changes(thread: Thread, organization_last_date: str = "") -> list[Change]:
    """Year moves, raised or lowered numbers, kind changes, and silence after the last statement."""
    out: list[Change] = []
    for prev, cur in zip(thread.members, thread.members[1:], strict=False):
        if prev.years and cur.years and set(prev.years) != set(cur.years):
            out.append(
                Change(
                    cur.date,
                    "year moved",
                    ";".join(map(str, prev.years)),
                    ";".join(map(str, cur.years)),
                    cur.id,
                )
            )
        before = {u: v for v, u in _numbers(prev.text)}
        after = {u: v for v, u in _numbers(cur.text)}
        for unit in sorted(before.keys() & after.keys()):
            if before[unit] != after[unit]:
                verb = "number raised" if after[unit] > before[unit] else "number lowered"
                out.append(
                    Change(cur.date, verb, f"{before[unit]:g}{unit}", f"{after[unit]:g}{unit}", cur.id)
                )
        if prev.kind != cur.kind and "target" in (prev.kind, cur.kind):
            out.append(Change(cur.date, f"became a {cur.kind}", prev.kind, cur.kind, cur.id))
    last = thread.members[-1]
    if (
        organization_last_date
        and last.date
        and organization_last_date > last.date
        and len(thread.members) > 1
    ):
        out.append(Change(organization_last_date, "stopped appearing", last.date, "", last.id))
    return out


@dataclass(frozen=True)
class Delivery:
    """A reported result linked to a thread as evidence that the promise was kept."""

    thread_id: str
    achievement_id: str
    source_file: str
    date: str
    text: str
    score: float


def link_deliveries(threads: Iterable[Thread], achievements: Iterable[Mapping[str, Any]]) -> list[Delivery]:
    """Link each achievement (a row with id, organization, release_date, text, themes) to its best thread.

    It must come from the same organisation, from a release dated after the thread's first
    statement, and name the thread's concepts.
    """
    by_org: dict[str, list[Thread]] = defaultdict(list)
    for t in threads:
        by_org[t.organization].append(t)
    out = []
    for a in achievements:
        found = concepts_of(str(a["text"]))
        themes = {t for t in str(a["themes"]).split(";") if t}
        best: tuple[float, str, Thread] | None = None
        for t in by_org.get(str(a["organization"]), []):
            if not (a["release_date"] and t.first_date and str(a["release_date"]) > t.first_date):
                continue  # only a later release can report a promise kept
            if not found & t.concepts:
                continue
            score = 0.7 * _jaccard(found, t.concepts) + 0.3 * _jaccard(themes, t.theme_counts)
            score = max(score, 0.8 if found >= t.concepts else 0.0)
            if score >= DELIVERY_THRESHOLD and (best is None or (score, t.id) > (best[0], best[1])):
                best = (score, t.id, t)
        if best:
            out.append(
                Delivery(
                    best[1],
                    str(a["id"]),
                    str(a["source_file"]),
                    str(a["release_date"]),
                    str(a["text"]),
                    round(best[0], 3),
                )
            )
    return out


# --- in the store: rebuild per organisation, and the reviewers' decisions


def _year_history(thread: Thread) -> str:
    steps = [f"{m.date or '?'}: {'/'.join(map(str, m.years))}" for m in thread.members if m.years]
    return " -> ".join(dict.fromkeys(steps))


def parse_changes(cell: object) -> list[dict[str, str]]:
    """The ``changes`` cell of a thread row as a list of {date, kind, before, after, commitment_id}."""
    try:
        items = json.loads(str(cell)) if cell else []
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    keys = ("date", "kind", "before", "after", "commitment_id")
    return [{k: str(i.get(k) or "") for k in keys} for i in items if isinstance(i, dict) and "kind" in i]


def build(
    rows: Iterable[Mapping[str, Any]],
    achievements: Iterable[Mapping[str, Any]],
    decisions: Mapping[str, str | None] | None = None,
    verdicts: Iterable[Mapping[str, Any]] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(thread rows, membership rows, delivery rows) for commitment rows and reported achievements.

    ``decisions`` are reviewers' merges and splits, ``verdicts`` their delivery confirmations
    and rejections; each follows the commitment it was given on.
    """
    rows = list(rows)
    achievements = list(achievements)
    verdicts = list(verdicts)
    thread_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    delivery_rows: list[dict[str, Any]] = []
    for org in sorted({str(r["organization"]) for r in rows}):
        statements = [Statement.from_row(r) for r in rows if r["organization"] == org]
        grouped = group(statements, decisions)
        last_date = max((s.date for s in statements if s.date), default="")
        member_of = {m.id: t for t in grouped for m in t.members}
        links = link_deliveries(grouped, [a for a in achievements if a["organization"] == org])
        status = {(d.thread_id, d.achievement_id): "proposed" for d in links}
        scores = {(d.thread_id, d.achievement_id): d.score for d in links}
        for v in verdicts:
            t = member_of.get(str(v["commitment_id"]))
            if t is not None:
                status[(t.id, str(v["achievement_id"]))] = str(v["status"])
        for t in grouped:
            kept = [k for k, s in status.items() if k[0] == t.id and s != "rejected"]
            releases = {m.source_file for m in t.members}
            delivery = "reported done" if kept else ("repeated" if len(releases) > 1 else "promised")
            thread_rows.append(
                {
                    "id": t.id,
                    "organization": org,
                    "label": t.label,
                    "first_date": t.first_date,
                    "last_date": t.last_date,
                    "statements": len(t.members),
                    "year_history": _year_history(t),
                    "changes": json.dumps([c.__dict__ for c in changes(t, last_date)], ensure_ascii=False),
                    "delivery_status": delivery,
                }
            )
            member_rows += [
                {"commitment_id": m.id, "thread_id": t.id, "organization": org} for m in t.members
            ]
        delivery_rows += [
            {
                "thread_id": tid,
                "achievement_id": aid,
                "organization": org,
                "score": scores.get((tid, aid), 1.0),
                "status": s,
            }
            for (tid, aid), s in sorted(status.items())
        ]
    return thread_rows, member_rows, delivery_rows


def records(
    extractions: Iterable[Extraction],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(commitment rows with thread ids, release rows, thread rows) of extractions made without a store."""
    extractions = list(extractions)
    commitments, releases = export.records(extractions)
    thread_rows, members, _ = build(commitments, export.achievement_records(extractions))
    thread_of = {m["commitment_id"]: m["thread_id"] for m in members}
    for row in commitments:
        row["thread_id"] = thread_of.get(row["id"], "")
    return commitments, releases, thread_rows


def rebuild(engine: Engine, organizations: Iterable[str] | None = None) -> int:
    """Regroup the commitments of these organisations (default: all) into threads; returns threads written.

    Uses reviewed values, leaves rejected rows out, and applies every merge, split and delivery
    decision reviewers made, so their work survives re-ingest.
    """
    if organizations is None:
        rows = [r for r in review.reviewed_rows(engine) if r["review_status"] != "rejected"]
        wanted = sorted({r["organization"] for r in rows})
    else:  # only these organisations' rows are read (an ingest regroups what it touched)
        # Imported here: sql brings pandas, which extract and ingest workers need not load.
        from . import sql

        wanted = sorted(set(organizations))
        rows = sql.reviewed_rows(engine, wanted)
    built = build(
        rows,
        store.achievement_rows(engine, wanted),
        store.thread_decisions(engine),
        store.delivery_decisions(engine),
    )
    store.replace_threads(engine, wanted, *built)
    return len(built[0])


def regroup(engine: Engine, user: User | None, organizations: Iterable[str] | None = None) -> int:
    """A reviewer or admin regroups threads by hand (ingest does it for what it touched); audited."""
    person = require(user, "reviewer", engine)
    wanted = sorted(organizations) if organizations is not None else []
    n = rebuild(engine, wanted or None)
    store.note(
        engine,
        person.name,
        "threads rebuilt",
        "; ".join(wanted) or "every organisation",
        [("threads", "", str(n))],
    )
    return n


def _organization_of(engine: Engine, commitment_id: str) -> str:
    row = store.get_commitment(engine, commitment_id)
    if row is None:
        raise StoreError(f"no commitment with id {commitment_id!r} in the store")
    return str(row["organization"])


def merge(engine: Engine, user: User | None, commitment_id: str, into: str) -> None:
    """A reviewer says ``commitment_id`` makes the same promise as ``into``: their threads become one."""
    reviewer = require(user, "reviewer", engine)
    org = _organization_of(engine, commitment_id)
    if _organization_of(engine, into) != org:
        raise EsgDataError(
            "a thread holds one organisation's promises; these two commitments are from different ones"
        )
    store.record_thread_decision(engine, commitment_id, into, reviewer.name)
    rebuild(engine, [org])


def split(engine: Engine, user: User | None, commitment_id: str) -> None:
    """A reviewer takes ``commitment_id`` out of its thread into a thread of its own."""
    reviewer = require(user, "reviewer", engine)
    store.record_thread_decision(engine, commitment_id, None, reviewer.name)
    rebuild(engine, [_organization_of(engine, commitment_id)])


def decide_delivery(
    engine: Engine, user: User | None, thread: str, achievement_id: str, *, confirmed: bool
) -> None:
    """A reviewer confirms or rejects that an achievement delivers a thread's promise."""
    reviewer = require(user, "reviewer", engine)
    member = next((r["commitment_id"] for r in store.thread_member_rows(engine, thread)), None)
    if member is None:
        raise StoreError(f"no thread with id {thread!r} in the store")
    store.record_delivery_decision(
        engine, achievement_id, member, "confirmed" if confirmed else "rejected", reviewer.name
    )
    rebuild(engine, [_organization_of(engine, member)])
