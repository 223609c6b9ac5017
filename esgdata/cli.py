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
from tqdm import tqdm

from . import __version__, export, ingest, store
from .config import load_config
from .errors import EsgDataError
from .extract import classify_text
from .models import Extraction, Failure

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        envvar="ESGDATA_DB_URL",
        default=None,
        metavar="URL",
        help="Database URL (default: ESGDATA_DB_URL, else data/esgdata.db).",
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
        help="Refuse files larger than this (default: ESGDATA_MAX_FILE_MB, 20).",
    )(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary, errors only.")(f)
    return f


def _max_bytes(max_mb: float | None) -> int:
    return int(max_mb * 1024 * 1024) if max_mb else load_config().max_file_bytes


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
def ingest_command(
    paths: tuple[Path, ...],
    db_url: str | None,
    jobs: int | None,
    organization: str | None,
    max_mb: float | None,
    quiet: bool,
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
    engine = store.connect(db_url)
    bar = _progress(quiet, "ingest")
    report = ingest.ingest(
        engine,
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
            + (f", {len(report.skipped)} skipped (unsupported format)" if report.skipped else ""),
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
    """Read release files and write commitments.csv and releases.csv, without a store.

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
    commitments, releases = export.records(extractions)
    paths_written = export.write(out_dir, commitments, releases)
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
@_db_option
def export_command(out_dir: Path, db_url: str | None) -> None:
    """Write the store's commitments.csv and releases.csv (UTF-8 with BOM, spec columns first).

    \b
    Example:
        esgdata export --out-dir out/
    """
    engine = store.connect(db_url)
    paths = export.write(out_dir, store.commitment_rows(engine), store.release_rows(engine))
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
    engine = store.connect(db_url)
    totals = store.counts(engine)
    click.echo(f"store: {engine.url.render_as_string(hide_password=True)}")
    click.echo(f"releases: {totals['releases']}\ncommitments: {totals['commitments']}")


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="esgdata")
