"""Files in, releases and commitments out: streaming, in worker processes, one bad file never stops the rest."""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from . import readers, store
from .errors import EsgDataError, ReadError
from .extract import extract, extractor_version
from .models import Extraction, Failure
from .release import parse_release


@dataclass
class IngestReport:
    """What an ingest did, file by file summed up; ``failed`` says which files and why."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    commitments: int = 0
    failed: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in folders with an unsupported extension

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


def process_file(path: Path, max_bytes: int, organization: str | None = None) -> Extraction | Failure:
    """Read, parse and extract one file; any problem becomes a Failure naming the file."""
    try:
        doc = readers.read(path, max_bytes=max_bytes)
        return extract(parse_release(doc, organization=organization))
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
) -> Iterator[Extraction | Failure | Path]:
    """Yield one result per file, in input order whatever ``jobs`` is; memory stays bounded.

    ``skip(path)`` may return True to not process a file (it is yielded back as a Path).
    """
    files = iter_files(paths)
    if jobs <= 1:
        for item in files:
            if isinstance(item, str):
                if on_skipped:
                    on_skipped(item)
            elif isinstance(item, Failure):
                yield item
            elif skip and skip(item):
                yield item
            else:
                yield process_file(item, max_bytes, organization)
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
                pending.append(pool.submit(process_file, item, max_bytes, organization))
            while len(pending) >= window:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _result(item: Future[Extraction | Failure] | Failure | Path) -> Extraction | Failure | Path:
    return item.result() if isinstance(item, Future) else item


def ingest(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    jobs: int = 1,
    organization: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Read every file under ``paths`` into the store, one transaction per release.

    A file already stored with the same content and extractor version is not read again.
    Two different files with the same name in one run: the second is reported, not stored.
    """
    report = IngestReport()
    version = extractor_version()
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
        paths, max_bytes=max_bytes, jobs=jobs, organization=organization, skip=unchanged,
        on_skipped=report.skipped.append,
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
                report.failed.append(Failure(
                    name, f"another file with the same name was ingested earlier in this run ({seen[name][0]}); "
                    "release names must be unique, rename one of them"))
        else:
            seen[name] = (name, result.release.content_hash)
            try:
                outcome = store.save(engine, result)
            except Exception as exc:  # a database error on one release: report it, keep going
                report.failed.append(Failure(name, f"could not be stored: {exc}"))
            else:
                setattr(report, outcome.status, getattr(report, outcome.status) + 1)
                report.commitments += outcome.commitments
        if progress:
            progress(name)
    return report
