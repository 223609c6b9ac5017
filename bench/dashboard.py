"""Dashboard speed and memory at scale: cold start, rerun after a filter change per page, peak memory.

usage: python bench/dashboard.py [--commitments N] [--db PATH] [--browser]

1. Builds a SQLite store of N commitments (default 100,000): every release of the corpus
   (../shared/corpus when present, else seeds/) is read and extracted once by esgdata, then
   saved again and again under new file names and dates (new commitment ids, same
   text), one transaction per release through store.save. Reuses --db if it holds enough.
2. Cold start: a fresh Python process imports the app and draws the Overview to the end
   (Streamlit's AppTest runs the real script; that is the server's share of a first load).
3. Reruns: for each page, the server time of a rerun after a filter change (organisation,
   kind, search, a date range, reset), in one process, as a server handles one session.
4. With --browser (needs /usr/bin/chromium): a real `streamlit run` server on 127.0.0.1 and
   chromium: time from the first request to the Overview's metrics, and the server's peak RSS.
Targets: rerun <= 150 ms, cold start <= 3 s, memory <= 500 MB. Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ("overview", "timeline", "commitments", "releases", "upload", "download")
# What is measured: each page, and the Timeline's other two tabs (only the open tab is drawn).
VIEWS = (*PAGES, "timeline:Target roadmap", "timeline:Themes over time")


def _sources() -> list[Path]:
    corpus = ROOT.parent / "shared" / "corpus"
    files = sorted(corpus.rglob("*.txt")) if corpus.is_dir() else []
    return files + sorted((ROOT / "seeds").glob("*.txt"))


def build_store(db: Path, target: int) -> dict[str, float]:
    """A store of at least ``target`` commitments made from the corpus; returns what it took."""
    from sqlalchemy import event

    from esgdata import store
    from esgdata.extraction.pipeline import commitment_id, extract
    from esgdata.readers import read
    from esgdata.readers.release import parse_release

    start = time.perf_counter()
    extractions = []
    for path in _sources():
        x = extract(parse_release(read(path, max_bytes=20 * 2**20)))
        if x.commitments:
            extractions.append(x)
    extracted = time.perf_counter() - start
    engine = store.connect(f"sqlite:///{db}")

    # A bench store need not survive a power cut: skip the fsync of every transaction.
    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    engine.dispose()
    have = store.counts(engine)["commitments"]
    rng = random.Random(20240501)
    first_day = dt.date(2016, 1, 1).toordinal()
    i = store.counts(engine)["releases"]
    while have < target:
        x = extractions[i % len(extractions)]
        name = f"{i:06d}-{x.release.source_file}"
        day = dt.date.fromordinal(first_day + rng.randrange(3650)).isoformat()
        release = dataclasses.replace(
            x.release, source_file=name, date=day, content_hash=f"{x.release.content_hash[:48]}{i:016d}"
        )
        seen: dict[str, int] = {}
        commitments = []
        for c in x.commitments:
            k = seen.get(c.text, 0)
            seen[c.text] = k + 1
            commitments.append(dataclasses.replace(c, id=commitment_id(name, c.text, k), source_file=name))
        # Achievements (reported results) are renamed too: their ids are unique in the store.
        achievements = tuple(
            dataclasses.replace(a, id=commitment_id(name, a.text, k + 10_000), source_file=name)
            for k, a in enumerate(getattr(x, "achievements", ()))
        )
        copy = dataclasses.replace(x, release=release, commitments=tuple(commitments))
        if achievements:
            copy = dataclasses.replace(copy, achievements=achievements)
        store.save(engine, copy, "test")
        have += len(commitments)
        i += 1
    counts = store.counts(engine)
    return {"extract_s": extracted, "total_s": time.perf_counter() - start, **counts}


def _app(page: str) -> str:
    return (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport dashboard\ndashboard.main(start={page!r})\n"
    )


def cold(url: str) -> None:
    """Child process: import and draw the Overview once; print seconds (imports and first run)."""
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter() - t0
    at = AppTest.from_string(_app("overview"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"import_s": imported, "first_run_s": total - imported, "total_s": total, "peak_mb": peak})
    )


def _timed(at: object) -> float:
    t = time.perf_counter()
    at.run()  # type: ignore[attr-defined]
    seconds = time.perf_counter() - t
    assert not at.exception, at.exception  # type: ignore[attr-defined]
    return seconds


def reruns(url: str) -> None:
    """Child process: per page, server time of reruns after filter changes; print JSON."""
    from streamlit.testing.v1 import AppTest

    from esgdata import store
    from esgdata.analysis import query

    # Organisations to filter on, from the small releases table (the app loads the big one itself).
    releases = query.load_releases(store.connect(url))
    orgs = list(releases["organization"].value_counts().index[:6])
    out: dict[str, dict[str, float]] = {}
    for n, view in enumerate(VIEWS):
        page, _, tab = view.partition(":")
        at = AppTest.from_string(_app(page), default_timeout=120)
        if tab:
            at.session_state["tl_tab"] = tab
        first = _timed(at)
        times = []
        changes = [("f_org", [orgs[(n + k) % len(orgs)]]) for k in range(3)] + [
            ("f_org", []),
            ("f_kind", ["target"]),
            ("f_q", "carbon"),
            ("f_q", ""),
            ("f_kind", []),
        ]
        for key, value in changes:
            widget = at.text_input(key=key) if key == "f_q" else at.multiselect(key=key)
            widget.set_value(value)
            times.append(_timed(at))
        at.text_input(key="f_dates").set_value("2019-01-01 to 2020-12-31")
        times.append(_timed(at))
        at.button(key="f_reset").click()
        times.append(_timed(at))
        same = _timed(at)
        out[view] = {
            "first_s": first,
            "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000,
            "same_filters_ms": same * 1000,
            "changes": len(times),
        }
    out["_process"] = {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(json.dumps(out))


def _child(phase: str, url: str) -> dict[str, object]:
    env = {**os.environ, "ESGDATA_DB_URL": url}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--url", url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser(url: str, chromium: str) -> dict[str, float]:
    """A real server and chromium: seconds from the first request to the rendered Overview, peak RSS."""
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    env = {**os.environ, "ESGDATA_DB_URL": url}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read()
                    == b"ok"
                ):
                    break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            )
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=120_000)
            page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            first = time.perf_counter() - t
            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/commitments?kind=target", wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=120_000)
            second = time.perf_counter() - t
            b.close()
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024
    finally:
        server.terminate()
        server.wait(15)
    return {"first_render_s": first, "second_session_commitments_s": second, "server_peak_mb": peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file to build or reuse")
    parser.add_argument("--browser", action="store_true", help="also measure a real server with chromium")
    parser.add_argument("--phase", choices=["cold", "rerun"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "cold":
        cold(args.url)
        return 0
    if args.phase == "rerun":
        reruns(args.url)
        return 0
    db = args.db or Path(tempfile.mkdtemp(prefix="esgdata-bench-")) / "dashboard.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESGDATA_DATA_DIR", str(db.parent))
    built = build_store(db, args.commitments)
    print(f"store    {db}: {built['releases']:,} releases, {built['commitments']:,} commitments "
          f"(extract {built['extract_s']:.1f} s, build {built['total_s']:.1f} s)")  # fmt: skip
    url = f"sqlite:///{db}"
    c = _child("cold", url)
    print(f"cold     process start to Overview drawn: {c['process_wall_s']:.2f} s "
          f"(imports {c['import_s']:.2f} s, first run {c['first_run_s']:.2f} s), peak {c['peak_mb']:.0f} MB "
          "[target 3 s, 500 MB]")  # fmt: skip
    r = _child("rerun", url)
    for view in VIEWS:
        p = r[view]
        assert isinstance(p, dict)
        print(
            f"rerun    {view:<26} after a filter change: median {p['median_ms']:4.0f} ms, "
            f"max {p['max_ms']:4.0f} ms ({p['changes']} changes); "
            f"same filters {p['same_filters_ms']:4.0f} ms; "
            f"first draw {p['first_s']:.2f} s [target 150 ms]"
        )
    process = r["_process"]
    assert isinstance(process, dict)
    print(f"memory   rerun process peak {process['peak_mb']:.0f} MB [target 500 MB]")
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if args.browser:
        if not Path(chromium).exists():
            print(f"browser  skipped: {chromium} not installed")
        else:
            b = browser(url, chromium)
            print(
                f"browser  first visit to Overview drawn: {b['first_render_s']:.2f} s; a second session's "
                f"Commitments page: {b['second_session_commitments_s']:.2f} s; "
                f"server peak {b['server_peak_mb']:.0f} MB [target 3 s, 500 MB]"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
