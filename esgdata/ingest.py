"""Files in, releases and commitments out: streamed, in worker processes; one bad file stops nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from . import readers, store
from .analysis import threads
from .config import load_config
from .errors import EsgDataError, ReadError
from .extraction.model import LinearModel
from .extraction.pipeline import extract, extractor_version
from .models import Extraction, Failure
from .readers.release import parse_release
from .users import User, require


@dataclass
class IngestReport:
    """What an ingest did, file by file summed up; ``failed`` says which files and why."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    commitments: int = 0
    failed: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in folders with an unsupported extension
    stale: int = 0  # reviews whose words changed: to be looked at again
    orphaned: int = 0  # reviews whose words are gone
    restored: int = 0  # stale reviews whose words came back as reviewed

    def count(self, outcome: store.SaveOutcome) -> None:
        """Add one saved release's outcome."""
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.commitments += outcome.commitments
        self.stale += outcome.stale
        self.orphaned += outcome.orphaned
        self.restored += outcome.restored

    def reviews_line(self) -> str:
        """ "2 reviews now stale, 1 orphaned": what people must look at again ("" when nothing)."""
        parts = [
            f"{self.stale} review{'s' if self.stale != 1 else ''} now stale" if self.stale else "",
            f"{self.orphaned} orphaned" if self.orphaned else "",
            f"{self.restored} back to the reviewed wording" if self.restored else "",
        ]
        return ", ".join(p for p in parts if p)

    @property
    def releases(self) -> int:
        return self.added + self.updated + self.unchanged


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Failure | str]:
    """Each file to read, in a stable order: folders recursively (sorted), files as given.

    Yields a Failure for a path that does not exist, and the path as a string for a file
    inside a folder whose format is not supported (skipped, but reported).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                yield child if readers.is_supported(child.name) else str(child)
        elif path.is_file():
            yield path
        else:
            yield Failure(str(path), "no such file or folder")


def process_file(
    path: Path,
    max_bytes: int,
    organization: str | None = None,
    weights: dict[str, LinearModel] | None = None,
) -> Extraction | Failure:
    """Read, parse and extract one file; any problem becomes a Failure naming the file."""
    try:
        doc = readers.read(path, max_bytes=max_bytes)
        return extract(parse_release(doc, organization=organization), weights)
    except ReadError as exc:
        return Failure(exc.path, exc.reason)
    except EsgDataError as exc:
        return Failure(str(path), str(exc))
    except Exception as exc:  # a reader library crashing on a malformed file must not stop the run
        return Failure(str(path), f"could not be processed ({type(exc).__name__}: {exc})")


def default_jobs() -> int:
    """Worker processes to use by default: every core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def extract_files(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    jobs: int = 1,
    organization: str | None = None,
    skip: Callable[[Path], bool] | None = None,
    on_skipped: Callable[[str], None] | None = None,
    weights: dict[str, LinearModel] | None = None,
) -> Iterator[Extraction | Failure | Path]:
    """Yield one result per file, in input order whatever ``jobs`` is; memory stays bounded.

    ``skip(path)`` may return True to not process a file (it is yielded back as a Path).
    ``weights`` replaces the shipped decision model for the languages it names.
    """
    files = iter_files(paths)
    if jobs <= 1:
        for item in files:
            if isinstance(item, str):
                if on_skipped:
                    on_skipped(item)
            elif isinstance(item, Failure) or (skip and skip(item)):
                yield item
            else:
                yield process_file(item, max_bytes, organization, weights)
        return
    window = jobs * 4  # files in flight: enough to keep workers busy, few enough to stay flat
    pending: deque[Future[Extraction | Failure] | Failure | Path] = deque()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for item in files:
            if isinstance(item, str):
                if on_skipped:
                    on_skipped(item)
                continue
            if isinstance(item, Failure) or (skip and skip(item)):
                pending.append(item)
            else:
                pending.append(pool.submit(process_file, item, max_bytes, organization, weights))
            while len(pending) >= window:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _result(item: Future[Extraction | Failure] | Failure | Path) -> Extraction | Failure | Path:
    return item.result() if isinstance(item, Future) else item


def ingest(
    engine: Engine,
    user: User | None,
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    jobs: int = 1,
    organization: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """A reviewer or admin reads every file under ``paths`` into the store, one transaction (and
    audit row) per release.

    A file already stored with the same content and extractor version is not read again.
    Two different files with the same name in one run: the second is reported, not stored.
    """
    person = require(user, "reviewer", engine)
    report = IngestReport()
    touched: set[str] = set()  # organisations whose threads must be regrouped
    weights = store.active_weights(engine)  # a model an admin switched the store to, if any
    version = extractor_version(weights)
    seen: dict[str, tuple[str, str]] = {}  # name -> (path, content hash) in this run

    def unchanged(path: Path) -> bool:
        state = store.stored_state(engine, path.name)
        if state is None or state[1] != version or path.name in seen:
            return False
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.stat().st_size <= max_bytes else ""
        except OSError:
            return False
        if state[0] != digest:
            return False
        seen[path.name] = (str(path), digest)
        return True

    for result in extract_files(
        paths,
        max_bytes=max_bytes,
        jobs=jobs,
        organization=organization,
        skip=unchanged,
        on_skipped=report.skipped.append,
        weights=weights,
    ):
        if isinstance(result, Path):
            report.unchanged += 1
            if progress:
                progress(str(result))
            continue
        if isinstance(result, Failure):
            report.failed.append(result)
            if progress:
                progress(result.path)
            continue
        name = result.release.source_file
        if name in seen:
            if seen[name][1] == result.release.content_hash:
                report.unchanged += 1  # the same file given twice
            else:
                report.failed.append(
                    Failure(
                        name,
                        f"another file with the same name was ingested earlier in this run "
                        f"({seen[name][0]}); release names must be unique, rename one of them",
                    )
                )
        else:
            seen[name] = (name, result.release.content_hash)
            try:
                outcome = store.save(engine, result, person.name)
            except Exception as exc:  # a database error on one release: report it, keep going
                report.failed.append(Failure(name, f"could not be stored: {exc}"))
            else:
                report.count(outcome)
                if outcome.status != "unchanged":
                    touched |= outcome.before  # a commitment may have changed organisation
                    touched.add(result.release.organization)
                    touched.update(c.organization for c in result.commitments)
        if progress:
            progress(name)
    if touched:
        threads.rebuild(engine, touched)
    return report


_UNSAFE = re.compile(r"[^\w.\- ()\[\]]+")


def safe_upload_name(name: str) -> str:
    """A file name that can only ever live inside the uploads folder (no folders, no dot files)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", "".join(ch for ch in base if ch.isprintable())).strip(" .")
    base = base[-150:]
    if not base or not readers.is_supported(base):
        raise ReadError(
            name or "(no name)",
            "not a usable file name for an upload: it needs a name ending in "
            + ", ".join(sorted(readers.FORMATS)),
        )
    return base


def ingest_upload(
    engine: Engine, user: User | None, name: str, data: bytes, *, data_dir: Path, max_bytes: int
) -> IngestReport:
    """A reviewer or admin uploads a file: kept under ``data_dir/uploads`` and ingested; a bad file
    is reported, not stored. Anyone else is refused before anything touches the disk."""
    require(user, "reviewer", engine)
    report = IngestReport()
    try:
        safe = safe_upload_name(name)
        readers.read_bytes(safe, data, max_bytes=max_bytes)  # refuse bad input before it touches the disk
    except ReadError as exc:
        report.failed.append(Failure(name, exc.reason))
        return report
    folder = (data_dir / "uploads").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / safe).resolve()
    if target.parent != folder:  # belt and braces: the name cannot climb out of the folder
        report.failed.append(Failure(name, "the file name points outside the uploads folder"))
        return report
    target.write_bytes(data)
    return ingest(engine, user, [target], max_bytes=max_bytes, jobs=1)


@dataclass(frozen=True)
class PageOutcome:
    """What ingesting one fetched page did: added, updated, unchanged, older (than --since) or failed."""

    status: str
    source_file: str
    content_hash: str = ""
    reason: str = ""
    organizations: frozenset[str] = frozenset()
    saved: store.SaveOutcome | None = None


def release_hash(title: str, date: str, body: str) -> str:
    """A fetched page's content hash: of its release, not its bytes (view counters change those)."""
    return hashlib.sha256(f"{title}\0{date}\0{body}".encode()).hexdigest()


def ingest_page(
    engine: Engine,
    user: User,
    name: str,
    data: bytes,
    *,
    url: str,
    max_bytes: int,
    organization: str = "",
    language: str = "",
    since: str = "",
) -> PageOutcome:
    """A fetched page through the same readers, extraction and store.save as a file, audited as
    ``user``'s (whom fetch.fetch has checked).

    A changed page replaces its release (reviews carried, marked stale, by store.save); a new
    page dated before ``since`` is not stored.
    """
    require(user, "reviewer", engine)
    try:
        doc = readers.read_bytes(name, data, max_bytes=max_bytes)
        release = parse_release(doc, organization=organization or None)
        digest = release_hash(release.title, release.date, release.body)
        release = dataclasses.replace(
            release, url=url, content_hash=digest, language=language or release.language
        )
        state = store.stored_state(engine, name)
        if state is None and since and release.date and release.date < since:
            return PageOutcome("older", name, digest, f"published {release.date}, before {since}")
        weights = store.active_weights(engine)  # the model an admin switched the store to, if any
        if state == (digest, extractor_version(weights)):
            return PageOutcome("unchanged", name, digest)
        x = extract(release, weights)
        outcome = store.save(engine, x, user.name)
    except ReadError as exc:
        return PageOutcome("failed", name, reason=exc.reason)
    except Exception as exc:  # a reader library or the database failing on one page stops nothing
        return PageOutcome("failed", name, reason=f"could not be processed ({type(exc).__name__}: {exc})")
    touched = frozenset({x.release.organization, *(c.organization for c in x.commitments), *outcome.before})
    return PageOutcome(outcome.status, name, digest, organizations=touched, saved=outcome)


def regroup(engine: Engine, organizations: Iterable[str]) -> None:
    """Regroup the threads of organisations whose releases changed."""
    wanted = set(organizations)
    if wanted:
        threads.rebuild(engine, wanted)


def seeds_dir() -> Path:
    """The sample releases that ship with the product (ESGDATA_SEEDS_DIR overrides)."""
    return load_config().seeds_dir


def load_seeds(
    engine: Engine, user: User | None, *, progress: Callable[[str], None] | None = None
) -> IngestReport:
    """Ingest the bundled sample releases: the demo, the app's first start and test fixtures use this."""
    folder = seeds_dir()
    if not folder.is_dir():
        raise EsgDataError(f"the sample releases folder {folder} does not exist (set ESGDATA_SEEDS_DIR)")
    return ingest(engine, user, [folder], max_bytes=load_config().max_file_bytes, jobs=1, progress=progress)


def reextract(engine: Engine, user: User | None, language: str) -> int:
    """An admin extracts the stored releases of ``language`` again with the store's weights (after a
    model switch); reviews carry over as on any re-ingest. Returns how many releases were redone."""
    admin = require(user, "admin", engine)
    weights = store.active_weights(engine)
    touched: set[str] = set()
    done = 0
    for row in store.release_rows(engine):
        if row["language"] != language:
            continue
        release = store.stored_release(store.release_body(engine, row["source_file"]))
        x = extract(release, weights)
        outcome = store.save(engine, x, admin.name)
        if outcome.status != "unchanged":
            touched.update({release.organization, *(c.organization for c in x.commitments), *outcome.before})
        done += 1
    if touched:
        threads.rebuild(engine, touched)
    return done
