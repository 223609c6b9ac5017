"""Sources, not files: follow organisations' news pages, feeds and sitemaps and keep the store current.

A fetch reads each source (following a list page's "next page" links to a set depth),
asks for the articles it links to that are new, then asks again, conditionally, for every
article it fetched before: an unchanged page costs a 304. A new or changed page goes
through the same readers, extraction and store.save as a file (reviews carried, marked
stale); a page that disappears keeps its release and is marked gone. One failing source or
page is reported with its reason; the others go on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from . import ingest, links, store
from .config import FetchSettings, load_config, load_fetch_settings
from .errors import EsgDataError, StoreError
from .models import Failure
from .users import User, require
from .web import Answer, Web

LANGUAGES = ("zh", "en")
CACHE_FILE = "http-cache.db"  # in the data folder: the HTTP cache behind conditional requests
_CONTENT_SUFFIX = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
_NAME_UNSAFE = re.compile(r"[^\w.\-]+")

Progress = Callable[[str, float], None]  # (what is being fetched, share of the current source done)


@dataclass
class SourceResult:
    """What fetching one source did; ``error`` is set when the source itself could not be read."""

    source_id: int
    url: str
    kind: str = ""
    error: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    older: int = 0
    requested: int = 0  # article pages asked for
    revalidated: int = 0  # of which the server answered 304 Not Modified
    forbidden: list[str] = field(default_factory=list)  # robots.txt said no
    failed: list[Failure] = field(default_factory=list)  # pages that could not be fetched or read
    cut_short: bool = False  # the run's page cap or time limit came before the source was done
    stale: int = 0  # reviews whose words changed in updated releases
    orphaned: int = 0  # reviews whose words are gone

    @property
    def status(self) -> str:
        return "failed" if self.error else "partial" if self.failed or self.cut_short else "ok"

    def summary(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.gone} gone, "
            f"{len(self.failed)} failed, {len(self.forbidden)} forbidden by robots.txt"
            + (f", {self.stale} reviews now stale" if self.stale else "")
            + (f", {self.orphaned} reviews orphaned" if self.orphaned else "")
            + (", stopped early" if self.cut_short else "")
        )


@dataclass
class FetchReport:
    """One fetch run: per source results, and why it stopped early if it did."""

    sources: list[SourceResult] = field(default_factory=list)
    stopped: str = ""  # "" or why some pages were left for the next run
    requests: int = 0  # every request sent, robots.txt and list pages included
    revalidated: int = 0  # of which answered 304 Not Modified

    @property
    def failures(self) -> list[Failure]:
        """Every failure, the sources' own first, each with its URL and reason."""
        own = [Failure(s.url, s.error) for s in self.sources if s.error]
        return own + [f for s in self.sources for f in s.failed]

    @property
    def ok(self) -> bool:
        return not self.failures


def add_source(
    engine: Engine, user: User | None, url: str, *, organization: str = "", language: str = ""
) -> dict[str, Any]:
    """Follow a news list page, an RSS/Atom feed or a sitemap; returns the stored source."""
    actor = require(user, "reviewer", engine)
    normal = links.normalise(url)
    if not normal:
        raise EsgDataError(f"{url!r} is not a web address: give an http:// or https:// URL")
    if language not in ("", *LANGUAGES):
        raise EsgDataError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    organization = " ".join(organization.split())
    if len(organization) > 255:
        raise EsgDataError("the organisation name is longer than 255 characters")
    source_id = store.insert_source(engine, normal, organization, language, actor.name)
    return store.source_rows(engine, source_id)[0]


def remove_source(engine: Engine, user: User | None, source_id: int) -> str:
    """Stop following a source; the releases it brought stay in the store. Returns its URL."""
    actor = require(user, "reviewer", engine)
    url = store.delete_source(engine, source_id, actor.name)
    if url is None:
        raise StoreError(f"no source with id {source_id}; `esgdata sources list` shows them")
    return url


def list_sources(engine: Engine) -> list[dict[str, Any]]:
    """Every followed source with its last fetch and its page counts (anyone may read it)."""
    return store.source_rows(engine)


def page_name(url: str, content_type: str) -> str:
    """The release name of a fetched page: its site and path, a short hash, the extension of its format."""
    parts = urlsplit(url)
    path = PurePosixPath(parts.path)
    mime = content_type.split(";")[0].strip().lower()
    suffix = _CONTENT_SUFFIX.get(mime, "")
    if not suffix and path.suffix.lower() in (".pdf", ".docx", ".txt", ".md"):
        suffix = path.suffix.lower()
    stem = f"{parts.netloc}{path.with_suffix('') if path.suffix else path}"
    if parts.query:
        stem += f"_{parts.query}"
    stem = _NAME_UNSAFE.sub("_", stem).strip("._")[-120:]
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{stem}-{digest}{suffix or '.html'}"


def fetch(
    engine: Engine,
    user: User | None,
    *,
    source_id: int | None = None,
    since: str = "",
    max_pages: int | None = None,
    time_limit: float | None = None,
    settings: FetchSettings | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch every source (or one): new and changed articles into the store, failures reported."""
    actor = require(user, "reviewer", engine)
    settings = settings or load_fetch_settings()
    if max_pages is not None:
        settings = dataclasses.replace(settings, max_pages=max_pages)
    if time_limit is not None:
        settings = dataclasses.replace(settings, time_limit=time_limit)
    sources = store.source_rows(engine, source_id)
    if source_id is not None and not sources:
        raise StoreError(f"no source with id {source_id}; `esgdata sources list` shows them")
    config = load_config()
    report = FetchReport()
    touched: set[str] = set()
    budget = [settings.max_pages]
    with Web(settings, cache_path=config.data_dir / CACHE_FILE, max_bytes=config.max_file_bytes) as web:
        for source in sources:
            if web.out_of_time or budget[0] <= 0:
                report.stopped = _why_stopped(budget, settings)
                break
            run = _SourceRun(
                engine, actor, web, source, settings, since, config.max_file_bytes, budget, progress
            )
            result = run.go()
            if result.cut_short:
                report.stopped = _why_stopped(budget, settings)
            touched |= run.touched
            report.sources.append(result)
            store.record_source_fetch(
                engine,
                result.source_id,
                actor.name,
                result.summary(),
                kind=result.kind or source["kind"],
                last_status=result.status,
                last_error=result.error or "; ".join(f"{f.path}: {f.reason}" for f in result.failed[:5]),
                last_new=result.new,
                last_updated=result.updated,
                last_failed=len(result.failed) + bool(result.error),
            )
            if result.cut_short:
                break
        report.requests, report.revalidated = web.requests, web.revalidated
    ingest.regroup(engine, touched)
    return report


def _why_stopped(budget: list[int], settings: FetchSettings) -> str:
    if budget[0] <= 0:
        return f"the page cap of {settings.max_pages} pages was reached; the rest waits for the next run"
    return f"the time limit of {settings.time_limit:g} s was reached; the rest waits for the next run"


class _SourceRun:
    """One source's part of a fetch run."""

    def __init__(
        self,
        engine: Engine,
        actor: User,
        web: Web,
        source: dict[str, Any],
        settings: FetchSettings,
        since: str,
        max_bytes: int,
        budget: list[int],
        progress: Progress | None,
    ) -> None:
        self.engine, self.actor, self.web, self.source, self.settings = engine, actor, web, source, settings
        self.since, self.max_bytes, self.budget, self.progress = since, max_bytes, budget, progress
        self.result = SourceResult(source["id"], source["url"])
        self.touched: set[str] = set()

    def go(self) -> SourceResult:
        result = self.result
        found = self._discover()
        if result.error or result.cut_short:
            return result
        known = {p["url"]: p for p in store.source_pages(self.engine, result.source_id)}
        new: list[str] = []
        for link in found:
            if link.url in known or link.url in new:
                continue
            if self.since and link.published and link.published < self.since:
                result.older += 1
                continue
            if store.fetched_page(self.engine, link.url) is None:  # another source's page stays with it
                new.append(link.url)
        todo = new + list(known)
        for done, url in enumerate(todo):
            if self.web.out_of_time or self.budget[0] <= 0:
                result.cut_short = True
                break
            refusal = self.web.allowed(url)
            if refusal:
                result.forbidden.append(url)
                continue
            if self.progress:
                self.progress(url, done / max(len(todo), 1))
            self.budget[0] -= 1
            result.requested += 1
            self._page(url, known.get(url))
            if result.cut_short:
                break
        return result

    def _discover(self) -> list[links.Link]:
        """Article links of the source, following its next pages or child sitemaps to the set depth."""
        result, queue, seen = self.result, [self.source["url"]], set[str]()
        found: list[links.Link] = []
        while queue and len(seen) < self.settings.depth:
            url = queue.pop(0)
            seen.add(url)
            if self.progress:
                self.progress(url, 0.0)
            answer = self.web.get(url, language=self.source["language"])
            if answer.cut_short:
                result.cut_short = True
                return []
            if not answer.ok:
                if url == self.source["url"]:  # the source itself failed: nothing to go on
                    result.error = answer.error
                    return []
                result.failed.append(Failure(url, answer.error))
                continue
            try:
                listing = links.read_listing(answer.data, answer.final_url or url, answer.content_type)
            except (EsgDataError, ValueError) as exc:
                result.error = result.error or f"could not be read as a list page, feed or sitemap: {exc}"
                return []
            result.kind = result.kind or listing.kind
            found += [link for link in listing.links if links.same_site(link.url, self.source["url"])]
            queue += [u for u in listing.more if u not in seen and u not in queue]
        return found

    def _page(self, url: str, known: dict[str, Any] | None) -> None:
        answer = self.web.get(url, language=self.source["language"])
        result = self.result
        result.revalidated += answer.revalidated
        if answer.cut_short:
            result.cut_short = True
        elif answer.ok:
            self._read(url, answer)
        elif answer.status in (404, 410) and known and known["source_file"]:
            # The page is gone; its release stays, marked so.
            result.gone += known["state"] != "gone"
            store.record_page(
                self.engine,
                result.source_id,
                url,
                http_status=answer.status,
                state="gone",
                error=answer.error,
            )
        else:
            result.failed.append(Failure(url, answer.error))
            store.record_page(
                self.engine,
                result.source_id,
                url,
                http_status=answer.status,
                state="failed",
                error=answer.error,
            )

    def _read(self, url: str, answer: Answer) -> None:
        result = self.result
        name = page_name(url, answer.content_type)
        outcome = ingest.ingest_page(
            self.engine,
            self.actor,
            name,
            answer.data,
            url=url,
            max_bytes=self.max_bytes,
            organization=self.source["organization"],
            language=self.source["language"],
            since=self.since,
        )
        fields: dict[str, Any] = {"http_status": answer.status, "error": ""}
        if outcome.status == "failed":
            result.failed.append(Failure(url, outcome.reason))
            fields.update(state="failed", error=outcome.reason)
        elif outcome.status == "older":
            result.older += 1
            fields.update(state="older", content_hash=outcome.content_hash)
        else:
            setattr(result, _COUNTERS[outcome.status], getattr(result, _COUNTERS[outcome.status]) + 1)
            self.touched |= outcome.organizations
            if outcome.saved:
                result.stale += outcome.saved.stale
                result.orphaned += outcome.saved.orphaned
            fields.update(state="ok", content_hash=outcome.content_hash, source_file=outcome.source_file)
        store.record_page(self.engine, result.source_id, url, **fields)


_COUNTERS = {"added": "new", "updated": "updated", "unchanged": "unchanged"}
