"""Polite HTTP for the fetcher: one client, robots.txt obeyed, one request per second per site.

httpx gives timeouts, connection retries and pooling; hishel keeps the standard HTTP cache,
so a page fetched before is asked for again with its ETag / Last-Modified and an unchanged
page costs a 304 and nothing else; protego reads robots.txt. Nothing here raises for a
network problem: every answer says what went wrong, for the report.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from hishel import CacheOptions, SqliteStorage
from hishel.httpx import CacheTransport
from protego import Protego

from . import __version__
from .config import FetchSettings

ROBOTS_AGENT = "esgdata"  # the product token robots.txt rules are matched against
MAX_RETRY_AFTER = 30.0  # seconds; a site asking for a longer pause is tried on the next run
MAX_CRAWL_DELAY = 60.0


def user_agent(contact: str = "") -> str:
    """The User-Agent every request carries: the product, its version, and a contact if configured."""
    reach = f"; +{contact}" if contact else ""
    return f"esgdata/{__version__} (ESG commitments dashboard; reads organisations' news pages{reach})"


@dataclass(frozen=True)
class Answer:
    """What one request brought back; ``error`` says why there is no usable page ("" if there is)."""

    url: str
    status: int  # 0: no answer at all (timeout, refused, robots)
    content_type: str = ""
    data: bytes = b""
    final_url: str = ""
    revalidated: bool = False  # the server answered a conditional request with 304 Not Modified
    error: str = ""
    cut_short: bool = False  # not asked (or not finished) because the run's time limit came first

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


@dataclass
class Pacer:
    """At most one request per ``delay`` seconds to each host."""

    delay: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: dict[str, float] = field(default_factory=dict)

    def wait(self, host: str, deadline: float, delay: float | None = None) -> bool:
        """Sleep until ``host`` may be asked again; False (without sleeping) if that is past ``deadline``."""
        now = self.clock()
        start = max(now, self._next.get(host, now))
        if start > deadline:
            return False
        if start > now:
            self.sleep(start - now)
        self._next[host] = start + (self.delay if delay is None else delay)
        return True


@dataclass
class _Robots:
    rules: Protego | None  # None: every path allowed
    refusal: str = ""  # set when the whole site is off limits (robots.txt unreachable)
    delay: float | None = None


class Web:
    """The fetcher's HTTP side for one run: call ``get`` and ``allowed``; close it (or use ``with``)."""

    def __init__(self, settings: FetchSettings, *, cache_path: Path, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self.deadline = time.monotonic() + settings.time_limit
        self.pacer = Pacer(settings.delay)
        self.requests = 0
        self.revalidated = 0
        self._robots: dict[str, _Robots] = {}
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        transport = CacheTransport(
            next_transport=httpx.HTTPTransport(
                retries=2,  # connection failures only; a slow or failing page is reported, not hammered
                limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
            ),
            storage=SqliteStorage(database_path=cache_path),
            rfc=CacheOptions(shared=False),
        )
        self.client = httpx.Client(
            transport=transport,
            headers={"User-Agent": user_agent(settings.contact)},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=True,
            max_redirects=5,
        )

    def __enter__(self) -> Web:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    @property
    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def allowed(self, url: str) -> str:
        """ "" if robots.txt lets the product fetch ``url``, else the reason it may not."""
        robots = self._robots_for(url)
        if robots.refusal:
            return robots.refusal
        if robots.rules is not None and not robots.rules.can_fetch(url, ROBOTS_AGENT):
            return f"robots.txt of {urlsplit(url).netloc} forbids it"
        return ""

    def _robots_for(self, url: str) -> _Robots:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._robots:
            return self._robots[origin]
        answer = self._get(f"{origin}/robots.txt", revalidate=False)
        if answer.ok:
            rules = Protego.parse(answer.data.decode("utf-8", "replace"))
            delay = rules.crawl_delay(ROBOTS_AGENT)
            robots = _Robots(rules, delay=min(float(delay), MAX_CRAWL_DELAY) if delay else None)
        elif 400 <= answer.status < 500:
            robots = _Robots(None)  # no robots.txt: nothing is forbidden (RFC 9309, 2.3.1.3)
        else:
            # Unreachable robots.txt means "fetch nothing" (RFC 9309, 2.3.1.4).
            why = answer.error or f"HTTP {answer.status}"
            robots = _Robots(None, refusal=f"robots.txt of {parts.netloc} could not be read ({why})")
        self._robots[origin] = robots
        return robots

    def get(self, url: str, *, language: str = "") -> Answer:
        """GET a page robots.txt allows, revalidating any cached copy; never raises for network trouble."""
        refusal = self.allowed(url)
        if refusal:
            return Answer(url, 0, error=refusal)
        return self._get(url, language=language, revalidate=True)

    def _get(self, url: str, *, language: str = "", revalidate: bool) -> Answer:
        host = urlsplit(url).netloc
        robots = self._robots.get(f"{urlsplit(url).scheme}://{host}")
        delay = max(self.settings.delay, robots.delay) if robots and robots.delay else None
        headers = {"Accept-Language": {"zh": "zh-CN,zh;q=0.9", "en": "en;q=0.9"}.get(language, "*")}
        if revalidate:  # always ask the server, conditionally: a changed page must be seen
            headers["Cache-Control"] = "no-cache"
        for attempt in (1, 2):
            if not self.pacer.wait(host, self.deadline, delay):
                return Answer(url, 0, error="the run's time limit came first", cut_short=True)
            answer, retry_after = self._once(url, headers)
            if retry_after is None or attempt == 2 or time.monotonic() + retry_after > self.deadline:
                return answer
            self.pacer.sleep(retry_after)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> tuple[Answer, float | None]:
        """One request; the answer, and how long to wait before one retry (None: no retry)."""
        remaining = max(self.deadline - time.monotonic(), 0.1)
        timeout = httpx.Timeout(min(self.settings.timeout, remaining))
        self.requests += 1
        try:
            with self.client.stream("GET", url, headers=headers, timeout=timeout) as response:
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        limit = self.max_bytes / 1e6
                        return Answer(
                            url, response.status_code, error=f"is over the {limit:.2g} MB limit"
                        ), None
                    if time.monotonic() > self.deadline:
                        return Answer(url, 0, error="the run's time limit came first", cut_short=True), None
        except httpx.TimeoutException:
            return Answer(url, 0, error=f"timed out (no answer within {timeout.read:g} s)"), None
        except httpx.TooManyRedirects:
            return Answer(url, 0, error="redirects too many times"), None
        except (httpx.HTTPError, OSError) as exc:
            return Answer(url, 0, error=f"could not be reached: {exc or type(exc).__name__}"), None
        caching = response.extensions.get("caching") or {}
        revalidated = bool(caching.get("from_cache") and caching.get("revalidated"))
        self.revalidated += revalidated
        status = response.status_code
        answer = Answer(
            url,
            status,
            response.headers.get("content-type", ""),
            bytes(data),
            str(response.url),
            revalidated,
            "" if status == 200 else f"HTTP {status} {response.reason_phrase}".strip(),
        )
        retry_after = _retry_after(response) if status in (429, 502, 503, 504) else None
        return answer, retry_after


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait (Retry-After), if short enough to wait for; else None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return 2.0
    if value.isdigit():
        seconds = float(value)
    else:
        when = email.utils.parsedate_to_datetime(value) if value else None
        seconds = when.timestamp() - time.time() if when else MAX_RETRY_AFTER + 1
    return max(seconds, 0.0) if seconds <= MAX_RETRY_AFTER else None
