"""Dashboard speed and memory at scale: cold start, rerun after a filter change per page, peak memory.

usage: python bench/dashboard.py [--commitments N] [--db PATH] [--db-url URL] [--ingest N] [--browser]

1. Builds a SQLite store of N commitments (default 100,000): every release of the corpus
   (../shared/corpus when present, else seeds/) is read and extracted once by esgdata, then
   saved again and again under new file names and dates (new commitment ids, same
   text), one transaction per release through store.save. Reuses --db if it holds enough.
   With --db-url (PostgreSQL), the app reads that database instead; an empty one is filled
   by copying the SQLite store table by table (far faster than saving it again).
2. Cold start: a fresh Python process imports the app and draws the Overview to the end
   (Streamlit's AppTest runs the real script; that is the server's share of a first load).
3. Reruns: for each page, the server time of a rerun after a filter change (organisation,
   kind, search, a date range, reset), in one process, as a server handles one session.
   Export: the whole commitments.csv streamed from the database (sql.iter_commitments_csv),
   its time and the process's peak memory.
   With --ingest N: two rerun processes at once while another process saves N more releases.
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


def _extractions() -> list[object]:
    from esgdata.extraction.pipeline import extract
    from esgdata.readers import read
    from esgdata.readers.release import parse_release

    out = []
    for path in _sources():
        x = extract(parse_release(read(path, max_bytes=20 * 2**20)))
        if x.commitments:
            out.append(x)
    return out


def build_store(db: Path, target: int) -> dict[str, float]:
    """A store of at least ``target`` commitments made from the corpus; returns what it took."""
    from sqlalchemy import event

    from esgdata import store

    start = time.perf_counter()
    extractions = _extractions()
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
    save_copies(engine, extractions, lambda _i, n: have + n < target)
    counts = store.counts(engine)
    return {"extract_s": extracted, "total_s": time.perf_counter() - start, **counts}


def save_copies(engine: object, extractions: list[object], more: object) -> int:
    """Save renamed, redated copies of the extractions while ``more(releases, commitments)`` holds."""
    from esgdata import store
    from esgdata.extraction.pipeline import commitment_id

    rng = random.Random(20240501)
    first_day = dt.date(2016, 1, 1).toordinal()
    i = store.counts(engine)["releases"]  # type: ignore[arg-type]
    start, saved = i, 0
    while more(i - start, saved):  # type: ignore[operator]
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
        store.save(engine, copy, "test")  # type: ignore[arg-type]
        saved += len(commitments)
        i += 1
    return i - start


def copy_store(db: Path, url: str) -> dict[str, float]:
    """Fill the empty database at ``url`` with the SQLite store ``db``, table by table; returns seconds."""
    from sqlalchemy import Integer, func, select, text

    from esgdata import schema, store

    start = time.perf_counter()
    source, target = store.connect(f"sqlite:///{db}"), store.connect(url)
    if store.counts(target)["releases"]:
        raise SystemExit(f"{url} is not empty: give --db-url an empty database to copy the store into")
    with source.connect() as read, target.begin() as write:
        for table in schema.metadata.sorted_tables:
            if table.name in ("meta", "commitment_search"):
                continue
            rows = read.execution_options(yield_per=20_000).execute(select(table))
            for part in rows.partitions():
                write.execute(table.insert(), [dict(r._mapping) for r in part])
        key = store.search_key("sqlite")
        docs = read.execution_options(yield_per=20_000).execute(
            select(key.label("n"), schema.commitment_search.c.doc).select_from(schema.commitment_search)
        )
        for part in docs.partitions():
            write.execute(schema.commitment_search.insert(), [dict(r._mapping) for r in part])
        for table in schema.metadata.sorted_tables:  # ids given explicitly: move the sequences past them
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and isinstance(keys[0].type, Integer):
                top = write.execute(select(func.max(keys[0]))).scalar()
                if top:
                    serial = f"pg_get_serial_sequence('{table.name}', '{keys[0].name}')"
                    write.execute(text(f"SELECT setval({serial}, {int(top)})"))
    with target.connect() as conn:  # fresh statistics, as after any large load
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return {"copy_s": time.perf_counter() - start, **store.counts(target)}


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
    from esgdata.analysis import sql

    # Organisations to filter on: the largest, as the sidebar lists them.
    orgs = list(sql.facets(store.connect(url))["organizations"])[:6]
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


def export(url: str) -> None:
    """Child process: stream the whole commitments.csv to nowhere; print seconds, size and peak memory."""
    from esgdata import store
    from esgdata.analysis import sql
    from esgdata.analysis.query import Filters

    engine = store.connect(url)
    t = time.perf_counter()
    size = sum(len(piece.encode("utf-8")) for piece in sql.iter_commitments_csv(engine, Filters()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - t, "mb": size / 2**20, "peak_mb": peak}))


def ingest_more(url: str, releases: int) -> None:
    """Child process: save ``releases`` more copies through store.save; print seconds."""
    from esgdata import store

    extractions = _extractions()
    t = time.perf_counter()
    saved = save_copies(store.connect(url), extractions, lambda i, _n: i < releases)
    print(json.dumps({"seconds": time.perf_counter() - t, "releases": saved}))


def _command(phase: str, url: str, *extra: str) -> list[str]:
    return [sys.executable, __file__, "--phase", phase, "--url", url, *extra]


def _result(phase: str, done: subprocess.CompletedProcess[str], wall: float) -> dict[str, object]:
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


def _child(phase: str, url: str, *extra: str) -> dict[str, object]:
    env = {**os.environ, "ESGDATA_DB_URL": url}
    t = time.perf_counter()
    done = subprocess.run(_command(phase, url, *extra), env=env, capture_output=True, text=True, check=False)
    return _result(phase, done, time.perf_counter() - t)


def _together(url: str, releases: int) -> list[dict[str, object]]:
    """Two rerun processes at once while a third saves ``releases`` releases; their results."""
    env = {**os.environ, "ESGDATA_DB_URL": url}
    t = time.perf_counter()
    commands = [
        _command("ingest", url, "--releases", str(releases)),
        _command("rerun", url),
        _command("rerun", url),
    ]
    running = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    out = []
    for name, process in zip(("ingest", "rerun", "rerun"), running, strict=True):
        stdout, stderr = process.communicate()
        done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        out.append(_result(name, done, time.perf_counter() - t))
    return out


def _print_reruns(r: dict[str, object], label: str = "rerun") -> None:
    for view in VIEWS:
        p = r[view]
        assert isinstance(p, dict)
        print(
            f"{label:<8} {view:<26} after a filter change: median {p['median_ms']:4.0f} ms, "
            f"max {p['max_ms']:4.0f} ms ({p['changes']} changes); "
            f"same filters {p['same_filters_ms']:4.0f} ms; "
            f"first draw {p['first_s']:.2f} s [target 150 ms]"
        )
    process = r["_process"]
    assert isinstance(process, dict)
    print(f"memory   {label} process peak {process['peak_mb']:.0f} MB [target 500 MB]")


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
    parser.add_argument("--db-url", default=None, help="run the app against this database (PostgreSQL)")
    parser.add_argument("--ingest", type=int, default=0, help="releases to save while two processes rerun")
    parser.add_argument("--browser", action="store_true", help="also measure a real server with chromium")
    parser.add_argument("--phase", choices=["cold", "rerun", "export", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--releases", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    phases = {"cold": cold, "rerun": reruns, "export": export}
    if args.phase == "ingest":
        ingest_more(args.url, args.releases)
        return 0
    if args.phase:
        phases[args.phase](args.url)
        return 0
    db = args.db or Path(tempfile.mkdtemp(prefix="esgdata-bench-")) / "dashboard.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESGDATA_DATA_DIR", str(db.parent))
    built = build_store(db, args.commitments)
    print(f"store    {db}: {built['releases']:,} releases, {built['commitments']:,} commitments "
          f"(extract {built['extract_s']:.1f} s, build {built['total_s']:.1f} s)")  # fmt: skip
    url = f"sqlite:///{db}"
    if args.db_url:
        from esgdata import store

        have = store.counts(store.connect(args.db_url))["commitments"]
        if have < args.commitments:
            copied = copy_store(db, args.db_url)
            print(f"copy     into {args.db_url.rsplit('@', 1)[-1]}: {copied['commitments']:,} commitments "
                  f"in {copied['copy_s']:.1f} s")  # fmt: skip
        url = args.db_url
    c = _child("cold", url)
    print(f"cold     process start to Overview drawn: {c['process_wall_s']:.2f} s "
          f"(imports {c['import_s']:.2f} s, first run {c['first_run_s']:.2f} s), peak {c['peak_mb']:.0f} MB "
          "[target 3 s, 500 MB]")  # fmt: skip
    _print_reruns(_child("rerun", url))
    e = _child("export", url)
    print(f"export   whole commitments.csv streamed: {e['mb']:.0f} MB in {e['seconds']:.1f} s, "
          f"process peak {e['peak_mb']:.0f} MB")  # fmt: skip
    if args.ingest:
        ingest, *sessions = _together(url, args.ingest)
        print(f"ingest   {ingest['releases']:,} releases saved in {ingest['seconds']:.1f} s "
              "while two processes reran:")  # fmt: skip
        for k, r in enumerate(sessions, 1):
            _print_reruns(r, f"during#{k}")
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
