"""The ``esgdata`` command line: a thin layer that parses options, calls the library and prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from tqdm import tqdm

from . import __version__, export, fetch, ingest, learning, review, store, users
from .analysis import threads
from .config import MB, load_config
from .errors import EsgDataError
from .extraction import model, training
from .extraction.pipeline import classify_text
from .models import Extraction, Failure

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        envvar="ESGDATA_DB_URL",
        default=None,
        metavar="URL",
        help="Database URL (default: ESGDATA_DB_URL, else esgdata.db in the per-user data folder).",
    )(f)


def _read_options(f: F) -> F:
    f = click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes (default: every core). Output is the same for any number.",
    )(f)
    f = click.option(
        "--organization",
        default=None,
        metavar="NAME",
        help="Who is behind every release read (default: found in each release).",
    )(f)
    f = click.option(
        "--max-mb",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help="Refuse files larger than this many MB of 1,000,000 bytes (default: ESGDATA_MAX_FILE_MB, 20).",
    )(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary, errors only.")(f)
    return f


def _as_option(f: F) -> F:
    return click.option(
        "--as",
        "as_name",
        metavar="NAME",
        default=None,
        help="Act as this account, held to its role. Default: you, named in the audit log by your "
        "operating-system account and host, with an admin's rights (you hold the store's credentials).",
    )(f)


def _person(engine: Any, as_name: str | None) -> users.User:
    """Who acts: the account ``--as`` names, else whoever runs this command (users.operator)."""
    return users.account(engine, as_name) if as_name else users.operator()


def _max_bytes(max_mb: float | None) -> int:
    return int(max_mb * MB) if max_mb else load_config().max_file_bytes


def _open(db_url: str | None, *, create: bool = False, say: bool = True) -> Engine:
    """The store, named on stderr; only commands that write may create it (``create``)."""
    engine = store.connect(db_url, create=create)
    if say:
        click.echo(f"store: {engine.url.render_as_string(hide_password=True)}", err=True)
    return engine


def _progress(quiet: bool, desc: str) -> tqdm[Any]:
    return tqdm(
        desc=desc,
        unit=" files",
        file=sys.stderr,
        disable=quiet or not sys.stderr.isatty(),
        leave=False,
    )


def _report_failures(failures: list[Failure]) -> None:
    for f in failures:
        click.echo(f"error: {f.path}: {f.reason}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EsgDataError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="esgdata")
def cli() -> None:
    """ESG commitments from press releases: ingest, extract, export, classify.

    \b
    Example:
        esgdata ingest seeds/
        esgdata export --out-dir out/
        streamlit run dashboard.py
    """


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
@_read_options
@_as_option
def ingest_command(
    paths: tuple[Path, ...],
    db_url: str | None,
    jobs: int | None,
    organization: str | None,
    max_mb: float | None,
    quiet: bool,
    as_name: str | None,
) -> None:
    """Read release files and folders into the store.

    Files already stored with the same content are not read again; a changed file replaces
    its release. A file that cannot be read is reported with the reason, and the rest go on;
    the exit code is 1 if any file failed.

    \b
    Example:
        esgdata ingest seeds/ ~/releases/2024/ extra.pdf
        ESGDATA_DB_URL=postgresql+psycopg://u:pw@localhost/esg esgdata ingest seeds/
    """
    engine = _open(db_url, create=True, say=False)  # the summary names the store
    bar = _progress(quiet, "ingest")
    report = ingest.ingest(
        engine,
        _person(engine, as_name),
        paths,
        max_bytes=_max_bytes(max_mb),
        jobs=jobs or ingest.default_jobs(),
        organization=organization,
        progress=lambda _: bar.update(1),
    )
    bar.close()
    _report_failures(report.failed)
    if not quiet:
        totals = store.counts(engine)
        click.echo(
            f"{report.releases} releases read: {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed"
            + (f", {len(report.skipped)} skipped (unsupported format)" if report.skipped else "")
            + (f"; {report.reviews_line()}" if report.reviews_line() else ""),
            err=True,
        )
        click.echo(
            f"store: {engine.url.render_as_string(hide_password=True)} "
            f"({totals['releases']} releases, {totals['commitments']} commitments)",
            err=True,
        )
    if report.failed:
        sys.exit(1)


@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for commitments.csv and releases.csv.",
)
@_read_options
def extract_command(
    paths: tuple[Path, ...],
    out_dir: Path,
    jobs: int | None,
    organization: str | None,
    max_mb: float | None,
    quiet: bool,
) -> None:
    """Read release files and write commitments.csv, releases.csv and threads.csv, without a store.

    \b
    Example:
        esgdata extract a.html b.pdf reports/ --out-dir out/
    """
    extractions: list[Extraction] = []
    failures: list[Failure] = []
    with _progress(quiet, "extract") as bar:
        for result in ingest.extract_files(
            paths,
            max_bytes=_max_bytes(max_mb),
            jobs=jobs or ingest.default_jobs(),
            organization=organization,
        ):
            if isinstance(result, Extraction):
                extractions.append(result)
            elif isinstance(result, Failure):
                failures.append(result)
            bar.update(1)
    commitments, releases, thread_rows = threads.records(extractions)
    paths_written = export.write(out_dir, commitments, releases, thread_rows)
    _report_failures(failures)
    if not quiet:
        click.echo(
            f"{len(releases)} releases, {len(commitments)} commitments, {len(failures)} failed -> "
            + ", ".join(str(p) for p in paths_written),
            err=True,
        )
    if failures:
        sys.exit(1)


@cli.command("export")
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for commitments.csv and releases.csv.",
)
@click.option(
    "--as-extracted",
    is_flag=True,
    help="Write the values as extracted, without reviewers' corrections and review columns.",
)
@_db_option
def export_command(out_dir: Path, db_url: str | None, as_extracted: bool) -> None:
    """Write the store's commitments.csv, releases.csv and threads.csv (UTF-8 with BOM).

    By default the reviewed values are written, with review_status, reviewed_by and
    reviewed_at columns and the original extraction beside every correction.

    \b
    Example:
        esgdata export --out-dir out/
        esgdata export --out-dir raw/ --as-extracted
    """
    engine = _open(db_url)
    rows = store.commitment_rows(engine) if as_extracted else review.reviewed_rows(engine)
    paths = export.write(out_dir, rows, store.release_rows(engine), store.thread_rows(engine))
    click.echo(", ".join(str(p) for p in paths), err=True)


@cli.command("classify")
@click.argument("sentences", nargs=-1)
@click.option(
    "--language",
    type=click.Choice(["auto", "en", "zh"]),
    default="auto",
    show_default=True,
    help="Language of the sentences.",
)
def classify_command(sentences: tuple[str, ...], language: str) -> None:
    """Classify sentences (arguments, else one per line of standard input); one JSON line each.

    \b
    Example:
        echo "CECEP will peak carbon emissions by 2028." | esgdata classify
        esgdata classify "中国节能将力争2028年前实现碳达峰。"
    """
    lines = sentences or tuple(line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        if line.strip():
            result = classify_text(line.strip(), language=None if language == "auto" else language)
            click.echo(json.dumps(result, ensure_ascii=False))


@cli.command("info")
@_db_option
def info_command(db_url: str | None) -> None:
    """Show where the store is and what it holds.

    \b
    Example:
        esgdata info
    """
    engine = _open(db_url, say=False)  # printed below, on stdout
    totals = store.counts(engine)
    reviews = store.review_counts(engine)
    click.echo(f"store: {engine.url.render_as_string(hide_password=True)}")
    click.echo(f"releases: {totals['releases']}\ncommitments: {totals['commitments']}")
    click.echo(
        f"reviews: {reviews['reviews']} ({reviews['stale']} stale, {reviews['orphaned']} orphaned)"
        + ("; `esgdata review orphaned` lists the orphaned ones" if reviews["orphaned"] else "")
    )


@cli.command("serve", context_settings={"ignore_unknown_options": True})
@click.option("--port", type=int, default=8501, show_default=True, help="Port to listen on (loopback only).")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def serve_command(port: int, streamlit_args: tuple[str, ...]) -> None:
    """Open the dashboard (streamlit run dashboard.py), listening on 127.0.0.1 only.

    \b
    Example:
        esgdata serve --port 8501
    """
    app = Path(__file__).resolve().parent.parent / "dashboard.py"
    if not app.exists():
        raise click.ClickException(f"dashboard.py not found next to the esgdata package ({app})")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        *streamlit_args,
    ]
    sys.exit(subprocess.call(cmd, env=os.environ.copy()))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@cli.group("sources")
def sources_group() -> None:
    """The web sources followed: news list pages, RSS/Atom feeds and sitemaps.

    \b
    Example:
        esgdata sources add https://www.example.com/news/ --organization "Example Group" --language en
        esgdata sources list
        esgdata fetch
        esgdata sources remove 1
    """


@sources_group.command("add")
@click.argument("url")
@click.option(
    "--organization", default="", metavar="NAME", help="Who is behind every release of this source."
)
@click.option(
    "--language",
    type=click.Choice(fetch.LANGUAGES),
    default=None,
    help="The language of the source's releases (default: detected in each release).",
)
@_db_option
@_as_option
def sources_add(
    url: str, organization: str, language: str | None, db_url: str | None, as_name: str | None
) -> None:
    """Follow a news list page, an RSS/Atom feed or a sitemap; `esgdata fetch` then reads it.

    \b
    Example:
        esgdata sources add https://www.example.cn/news/jtyw/ --organization 中国节能 --language zh
        esgdata sources add https://www.example.com/feed.xml
    """
    engine = store.connect(db_url)
    row = fetch.add_source(
        engine, _person(engine, as_name), url, organization=organization, language=language or ""
    )
    click.echo(f"added source {row['id']}: {row['url']}", err=True)


@sources_group.command("remove")
@click.argument("source_id", metavar="ID", type=int)
@_db_option
@_as_option
def sources_remove(source_id: int, db_url: str | None, as_name: str | None) -> None:
    """Stop following a source; the releases it brought stay in the store with their reviews.

    \b
    Example:
        esgdata sources remove 3
    """
    engine = store.connect(db_url)
    url = fetch.remove_source(engine, _person(engine, as_name), source_id)
    click.echo(f"removed source {source_id}: {url} (its releases stay)", err=True)


@sources_group.command("list")
@_db_option
def sources_list(db_url: str | None) -> None:
    """The followed sources: id, URL, kind, last fetch, what it did, and pages stored.

    \b
    Example:
        esgdata sources list
    """
    for row in fetch.list_sources(store.connect(db_url)):
        last = (
            export.timestamp(row["last_fetch_at"], seconds=False) if row["last_fetch_at"] else "never fetched"
        )
        status = row["last_status"] or "-"
        click.echo(
            f"{row['id']}\t{row['url']}\t{row['kind'] or '?'}\t{row['organization'] or '-'}\t"
            f"{row['language'] or '-'}\t{last}\t{status}\t{row['releases']} releases, "
            f"{row['gone']} gone, {row['failing']} failing"
            + (f"\t{row['last_error']}" if row["last_error"] else "")
        )


@cli.command("fetch")
@click.option("--source", "source_id", type=int, default=None, metavar="ID", help="Only this source.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="Only articles published on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    help="Article pages to request at most (default: ESGDATA_FETCH_MAX_PAGES, 200).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Stop after this long (default: ESGDATA_FETCH_TIME_LIMIT, 600).",
)
@click.option("--quiet", "-q", is_flag=True, help="Failures only, no summary.")
@_db_option
@_as_option
def fetch_command(
    source_id: int | None,
    since: Any,
    max_pages: int | None,
    time_limit: float | None,
    quiet: bool,
    db_url: str | None,
    as_name: str | None,
) -> None:
    """Fetch new and changed articles from the followed sources into the store.

    Polite: robots.txt obeyed, one request per second per site (ESGDATA_FETCH_DELAY), pages
    fetched before asked for conditionally. A failing source or page is reported with its URL
    and reason and the rest go on; the exit code is 1 if anything failed.

    \b
    Example:
        esgdata fetch
        esgdata fetch --source 2 --since 2024-01-01 --max-pages 50
    """
    engine = store.connect(db_url)
    bar = tqdm(
        desc="fetch", unit=" pages", file=sys.stderr, disable=quiet or not sys.stderr.isatty(), leave=False
    )

    def progress(url: str, _share: float) -> None:
        bar.set_postfix_str(url[-60:])
        bar.update(1)

    report = fetch.fetch(
        engine,
        _person(engine, as_name),
        source_id=source_id,
        since=since.date().isoformat() if since else "",
        max_pages=max_pages,
        time_limit=time_limit,
        progress=progress,
    )
    bar.close()
    for failure in report.failures:
        click.echo(f"error: {failure.path}: {failure.reason}", err=True)
    if not quiet:
        for result in report.sources:
            click.echo(f"source {result.source_id} {result.url}: {result.summary()}", err=True)
        click.echo(
            f"{report.requests} requests, {report.revalidated} answered 304 Not Modified"
            + (f"; stopped: {report.stopped}" if report.stopped else ""),
            err=True,
        )
    if not report.ok:
        sys.exit(1)


@cli.group("users")
def users_group() -> None:
    """Manage the accounts that sign in to review (viewer, reviewer, admin).

    \b
    Example:
        esgdata users add alice --role admin
        esgdata users list
    """


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), default="reviewer", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)
@_db_option
@_as_option
def users_add(name: str, role: str, password_stdin: bool, db_url: str | None, as_name: str | None) -> None:
    """Create an account; the password is prompted for (or read from stdin) and stored hashed.

    \b
    Example:
        esgdata users add alice --role admin
        echo "$PASSWORD" | esgdata users add bob --role reviewer --password-stdin
    """
    engine = _open(db_url, create=True)  # the first admin may be made before any ingest
    users.add_user(engine, _person(engine, as_name), name, _read_password(password_stdin), role)
    click.echo(f"added {name} ({role})", err=True)


@users_group.command("list")
@_db_option
def users_list(db_url: str | None) -> None:
    """List accounts with their roles.

    \b
    Example:
        esgdata users list
    """
    for row in users.list_users(_open(db_url)):
        state = "disabled" if row["disabled"] else "active"
        click.echo(f"{row['name']}\t{row['role']}\t{state}")


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(users.ROLES))
@_db_option
@_as_option
def users_set_role(name: str, role: str, db_url: str | None, as_name: str | None) -> None:
    """Give an account another role.

    \b
    Example:
        esgdata users set-role bob admin
    """
    engine = _open(db_url)
    users.set_role(engine, _person(engine, as_name), name, role)
    click.echo(f"{name} is now {role}", err=True)


@users_group.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead (as `users enable`).")
@_db_option
@_as_option
def users_disable(name: str, enable: bool, db_url: str | None, as_name: str | None) -> None:
    """Disable an account (its reviews and audit entries stay; its sessions end).

    \b
    Example:
        esgdata users disable bob
    """
    engine = _open(db_url)
    users.set_disabled(engine, _person(engine, as_name), name, not enable)
    click.echo(f"{name} {'enabled' if enable else 'disabled'}", err=True)


@users_group.command("enable")
@click.argument("name")
@_db_option
@_as_option
def users_enable(name: str, db_url: str | None, as_name: str | None) -> None:
    """Enable a disabled account again.

    \b
    Example:
        esgdata users enable bob
    """
    engine = _open(db_url)
    users.set_disabled(engine, _person(engine, as_name), name, False)
    click.echo(f"{name} enabled", err=True)


@users_group.command("password")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)
@_db_option
@_as_option
def users_password(name: str, password_stdin: bool, db_url: str | None, as_name: str | None) -> None:
    """Set a new password for an account.

    \b
    Example:
        esgdata users password bob
    """
    engine = _open(db_url)
    users.set_password(engine, _person(engine, as_name), name, _read_password(password_stdin))
    click.echo(f"password of {name} changed", err=True)


@cli.group("review")
def review_group() -> None:
    """Reviewed commitments as evaluation data, the audit log, and measured quality.

    \b
    Example:
        esgdata review export --out reviewed.jsonl
        esgdata review audit --out audit.csv
    """


@review_group.command("export")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="JSONL file to write."
)
@_db_option
def review_export(out: Path, db_url: str | None) -> None:
    """Write accepted and corrected commitments as gold JSONL (the scorer's format).

    \b
    Example:
        esgdata review export --out reviewed.jsonl
    """
    engine = _open(db_url)
    n = review.write_gold(engine, out)
    stale = store.review_counts(engine)["stale"]
    click.echo(
        f"{n} releases -> {out}"
        + (
            f"; {stale} stale reviews left out (their words changed since they were reviewed)"
            if stale
            else ""
        ),
        err=True,
    )


@review_group.command("audit")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="CSV file (default: print).")
@click.option("--target", default=None, help="Only entries about this commitment id or user name.")
@click.option(
    "--verify",
    is_flag=True,
    help="Check the hash chain instead: name the first row deleted or changed behind the app's back "
    "(exit code 1 if any).",
)
@_db_option
def review_audit(out: Path | None, target: str | None, verify: bool, db_url: str | None) -> None:
    """Print or write the append-only audit log (who changed what, when, from which value to which).

    \b
    Example:
        esgdata review audit --out audit.csv
        esgdata review audit --target 5f2c0e1d9a8b7c6d
        esgdata review audit --verify
    """
    engine = _open(db_url)
    if verify:
        check = store.verify_audit(engine)
        if check.ok:
            click.echo(f"audit log verified: {check.rows} rows, the chain is whole")
            return
        click.echo(f"audit log broken at row {check.broken_at}: {check.reason}", err=True)
        sys.exit(1)
    text = export.audit_csv(store.audit_rows(engine, target))
    if out:
        out.write_text(text, encoding="utf-8", newline="")
        click.echo(str(out), err=True)
    else:
        click.echo(text.lstrip("\ufeff"), nl=False)


@review_group.command("orphaned")
@_db_option
def review_orphaned(db_url: str | None) -> None:
    """List reviews whose commitment's words disappeared from their release (kept, never deleted).

    \b
    Example:
        esgdata review orphaned
    """
    for row in store.orphaned_reviews(_open(db_url)):
        click.echo(
            f"{row['commitment_id']}\t{row['source_file']}\t{row['status']}\t{row['reviewed_by']}\t"
            f"{export.timestamp(row['reviewed_at'])}\t{row['reviewed_text']}"
        )


@review_group.command("quality")
@_db_option
def review_quality(db_url: str | None) -> None:
    """Extraction precision measured on reviewed rows, per kind, theme and organisation.

    \b
    Example:
        esgdata review quality
    """
    report = review.quality(review.reviewed_rows(_open(db_url)))
    for key in ("kind", "themes", "organization"):
        click.echo(f"precision by {key}:")
        for row in report[key]:
            click.echo(f"  {row[key]:24} {row['correct']:4}/{row['reviewed']:<4} {row['precision']:.3f}")
    click.echo("most frequent corrections:")
    for row in report["corrections"]:
        click.echo(f"  {row['field']}: {row['extracted']!r} -> {row['corrected']!r} ({row['times']}x)")


@cli.group("threads")
def threads_group() -> None:
    """Promises followed across releases: threads of statements, changes and reported delivery.

    \b
    Example:
        esgdata threads rebuild
        esgdata threads list --organization CECEP
    """


@threads_group.command("rebuild")
@click.option(
    "--organization",
    "organizations",
    multiple=True,
    metavar="NAME",
    help="Only this organisation (repeatable); default every one.",
)
@_db_option
@_as_option
def threads_rebuild(organizations: tuple[str, ...], db_url: str | None, as_name: str | None) -> None:
    """Regroup commitments into threads (ingest does this for the organisations it touches).

    \b
    Example:
        esgdata threads rebuild --organization CECEP
    """
    engine = _open(db_url)
    n = threads.regroup(engine, _person(engine, as_name), organizations or None)
    click.echo(f"{n} threads", err=True)


@threads_group.command("list")
@click.option("--organization", default=None, metavar="NAME", help="Only this organisation.")
@click.option(
    "--min-statements",
    type=int,
    default=2,
    show_default=True,
    help="Only threads with at least this many statements.",
)
@_db_option
def threads_list(organization: str | None, min_statements: int, db_url: str | None) -> None:
    """Print threads: organisation, label, statements, dates, target-year history, delivery status.

    \b
    Example:
        esgdata threads list --organization Sinopec --min-statements 1
    """
    for t in store.thread_rows(_open(db_url)):
        if (organization is None or t["organization"] == organization) and t["statements"] >= min_statements:
            click.echo(
                f"{t['id']}\t{t['organization']}\t{t['label']}\t{t['statements']}\t"
                f"{t['first_date']}..{t['last_date']}\t{t['year_history']}\t{t['delivery_status']}"
            )


@cli.group("model")
def model_group() -> None:
    """The learned decision layer: which sentences are commitments, and of which kind.

    \b
    Example:
        esgdata model evaluate
        esgdata model train --language en
    """


def _training_option(f: F) -> F:
    return click.option(
        "--training-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Labelled releases: eval/gold, eval/heldout.txt, corpus/ (default: ESGDATA_TRAINING_DIR).",
    )(f)


def _languages(language: str) -> tuple[str, ...]:
    return ("en", "zh") if language == "all" else (language,)


@model_group.command("train")
@click.option("--language", type=click.Choice(["en", "zh", "all"]), default="all", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the weights files (default: the package's own weights, replacing them).",
)
@click.option(
    "--with-reviews",
    is_flag=True,
    help="Also learn from the store's reviews; the model is kept in the store (inactive) with its figures.",
)
@_as_option
@_training_option
@_db_option
def model_train(
    language: str,
    out: Path | None,
    with_reviews: bool,
    as_name: str | None,
    training_dir: Path | None,
    db_url: str | None,
) -> None:
    """Train the weights on the labelled releases (never on held-out ones); same data, same weights.

    Prints the figures of cross-validation grouped by organisation. With --with-reviews the
    store's reviews are labels too, and the held-out figures of the new model and of the
    shipped one are printed side by side; `esgdata model use` switches the store to it.

    \b
    Example:
        esgdata model train --language zh --out /tmp/weights
        esgdata model train --with-reviews --language en --as alice
    """
    shared = training_dir or load_config().training_dir
    if with_reviews:
        engine = store.connect(db_url)
        for lang in _languages(language):
            result = learning.retrain(engine, _person(engine, as_name), lang, shared)
            click.echo(f"{lang}: model {result['name']} kept in the store (not in use yet)")
            reviews = result["reviews"]
            click.echo(
                f"  learned from {reviews['releases']} reviewed releases: "
                f"{reviews['commitments']} commitments, {reviews['rejected']} rejected"
            )
            if "held_out" in result:
                click.echo(f"  {'held-out':22} {'retrained':>10} {'shipped':>10}")
                for key in ("commitment_f1", "commitment_precision", "commitment_recall", "kind_accuracy"):
                    click.echo(
                        f"  {key:22} {result['held_out'][key]:>10} {result['held_out_shipped'][key]:>10}"
                    )
        return
    for lang in _languages(language):
        weights, report = training.train(lang, training.training_set(shared, lang))
        path = (out / f"{lang}.json") if out else model.shipped_path(lang)
        weights.save(path)
        cv = report["cross_validation"]
        used = report["trained_on"]
        click.echo(
            f"{lang}: {used['releases']} releases ({used['organisations']} organisations, "
            f"{used['commitments']} commitments) -> {path}\n"
            f"  grouped cross-validation: commitment F1 {cv['commitment_f1']} "
            f"(precision {cv['commitment_precision']}, recall {cv['commitment_recall']}), "
            f"kind accuracy {cv['kind_accuracy']}, threshold {report['threshold']}"
        )


@model_group.command("evaluate")
@click.option("--language", type=click.Choice(["en", "zh", "all"]), default="all", show_default=True)
@click.option(
    "--weights",
    "weights_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of weights files to measure (default: the weights the package ships).",
)
@_training_option
def model_evaluate(language: str, weights_dir: Path | None, training_dir: Path | None) -> None:
    """Measure the weights on the held-out releases, then show their grouped cross-validation.

    Held-out figures predict releases of organisations nobody has seen; they come first.

    \b
    Example:
        esgdata model evaluate --language en
    """
    shared = training_dir or load_config().training_dir
    for lang in _languages(language):
        weights = model.read(weights_dir / f"{lang}.json") if weights_dir else model.shipped(lang)
        held = training.gold_releases(shared, lang, heldout=True)
        figures = training.evaluate(weights, held)
        click.echo(f"{lang} held-out ({figures['releases']} releases of unseen organisations):")
        for key, value in figures.items():
            if key != "releases":
                click.echo(f"  {key:22} {'-' if value is None else value}")
        cv = weights.meta.get("cross_validation", {})
        if cv:
            click.echo(f"{lang} grouped cross-validation on the training part:")
            for key in ("commitment_precision", "commitment_recall", "commitment_f1", "kind_accuracy"):
                click.echo(f"  {key:22} {cv.get(key, '-')}")


@model_group.command("list")
@_db_option
def model_list(db_url: str | None) -> None:
    """The models retrained in the store, with their held-out figures and which one is in use.

    \b
    Example:
        esgdata model list
    """
    for row in learning.models(store.connect(db_url)):
        held = row["figures"].get("held_out", {})
        click.echo(
            f"{row['name']}\t{row['language']}\t{'in use' if row['active'] else '-'}\t"
            f"held-out F1 {held.get('commitment_f1', '-')}\t{row['created_by']}\t"
            f"{export.timestamp(row['created_at'], seconds=False)}"
        )


@model_group.command("use")
@click.argument("name")
@click.option("--language", type=click.Choice(["en", "zh"]), required=True)
@_as_option
@_db_option
def model_use(name: str, language: str, as_name: str | None, db_url: str | None) -> None:
    """Switch the store to a retrained model (or back to `shipped`) and re-extract its releases.

    Reviews are carried over as on any re-ingest; the switch is in the audit log.

    \b
    Example:
        esgdata model use en-20261205-101500 --language en --as alice
        esgdata model use shipped --language en --as alice
    """
    engine = store.connect(db_url)
    done = learning.switch(engine, _person(engine, as_name), language, None if name == "shipped" else name)
    click.echo(f"{language}: now using {name}; {done} releases re-extracted", err=True)


@cli.group("db")
def db_group() -> None:
    """The store's schema: create or upgrade it as the tables' owner, and grant the app's role.

    \b
    Example:
        ESGDATA_DB_OWNER_URL=postgresql+psycopg://esg_owner:pw@db/esg esgdata db upgrade
    """


@db_group.command("upgrade")
@click.option(
    "--owner-url",
    envvar="ESGDATA_DB_OWNER_URL",
    default=None,
    metavar="URL",
    help="The owner role's URL (default: ESGDATA_DB_OWNER_URL; none: the store's URL upgrades itself).",
)
@_db_option
def db_upgrade(owner_url: str | None, db_url: str | None) -> None:
    """Bring the schema to this version; as the owner, also grant the app's role (ESGDATA_DB_URL's
    user) its rights again: every table read and written, the audit log read and appended only.

    \b
    Example:
        esgdata db upgrade --owner-url postgresql+psycopg://esg_owner:pw@db/esg
    """
    if owner_url:  # first, so an app role that was never granted anything can connect after
        store.upgrade_as_owner(owner_url, db_url or store.default_url())
    engine = store.connect(db_url, owner_url=owner_url or "")
    role = engine.url.username
    granted = f"; {role} may read and append to the audit log, nothing more" if owner_url and role else ""
    click.echo(f"schema version {store.schema_version(engine)}{granted}", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="esgdata")
