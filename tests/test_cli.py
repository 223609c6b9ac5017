"""The esgdata command line, through click's CliRunner (and once as python -m esgdata)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SPEC_COMMITMENT_COLUMNS

import esgdata
from esgdata import store
from esgdata.cli import cli
from esgdata.config import load_config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_fab0cea01f7ba7df.txt"
N_SEEDS = sum(1 for p in SEEDS.iterdir() if p.is_file())
COMMANDS = ["ingest", "extract", "export", "classify", "info", "serve"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- help and version


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command(runner, flag):
    result = runner.invoke(cli, [flag])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "Example" in result.output


def test_version_prints_the_package_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert esgdata.__version__ in result.output
    assert "esgdata" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"esgdata {command}" in result.output or "streamlit" in result.output


@pytest.mark.parametrize("command", ["ingest", "info", "export"])
def test_every_store_command_takes_a_db_option(runner, command):
    assert "--db" in runner.invoke(cli, [command, "--help"]).output


def test_python_dash_m_esgdata_runs_the_cli():
    run = subprocess.run(
        [sys.executable, "-m", "esgdata", "--help"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0
    assert "ingest" in run.stdout and "export" in run.stdout


def test_an_unknown_command_exits_with_a_usage_error(runner):
    result = runner.invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "frobnicate" in result.output


# ---------------------------------------------------------------- ingest, info, export


def test_ingesting_the_seeds_exits_zero_and_names_the_store(runner, db, tmp_path):
    result = runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1"])
    assert result.exit_code == 0, result.output
    assert f"{N_SEEDS} added" in result.stderr
    assert "0 failed" in result.stderr
    assert str(tmp_path / "cli.db") in result.stderr
    assert f"({N_SEEDS} releases," in result.stderr


def test_ingesting_the_seeds_twice_reports_them_unchanged(runner, db):
    runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1"])
    result = runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1"])
    assert result.exit_code == 0
    assert f"{N_SEEDS} unchanged" in result.stderr
    assert "0 added" in result.stderr


def test_quiet_ingest_prints_nothing_when_all_is_well(runner, db):
    result = runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1", "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_ingest_with_a_bad_file_exits_one_and_names_the_file_and_reason(runner, db, tmp_path):
    bad = tmp_path / "empty_release.txt"
    bad.write_bytes(b"")
    result = runner.invoke(cli, ["ingest", str(SEED), str(bad), "--db", db, "-j", "1"])
    assert result.exit_code == 1
    assert "empty_release.txt" in result.stderr
    assert "empty" in result.stderr.split("empty_release.txt", 1)[1]
    assert "1 added" in result.stderr  # the good file went in anyway
    assert "1 failed" in result.stderr


def test_ingest_of_an_oversized_file_names_the_limit(runner, db, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Title\n\n" + "The company will grow. " * 60000, encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(big), "--db", db, "-j", "1", "--max-mb", "1"])
    assert result.exit_code == 1
    assert "big.txt" in result.stderr
    assert "limit" in result.stderr


def test_info_shows_what_the_store_holds(runner, db, tmp_path):
    runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1"])
    result = runner.invoke(cli, ["info", "--db", db])
    assert result.exit_code == 0
    assert "releases: 1" in result.stdout
    assert "commitments: 5" in result.stdout
    assert str(tmp_path / "cli.db") in result.stdout


def test_export_writes_both_csvs_of_the_store(runner, db, tmp_path):
    runner.invoke(cli, ["ingest", str(SEED), "--db", db, "-j", "1"])
    out = tmp_path / "out"
    result = runner.invoke(cli, ["export", "--out-dir", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    commitments = _rows(out / "commitments.csv")
    assert len(commitments) == 5
    assert {r["speaker"] for r in commitments} == {"Song Xin"}
    (release,) = _rows(out / "releases.csv")
    assert release["source_file"] == SEED.name
    assert "commitments.csv" in result.stderr


def test_export_of_an_empty_store_writes_headers_only(runner, db, tmp_path):
    store.connect(db)  # made, never filled
    out = tmp_path / "out"
    result = runner.invoke(cli, ["export", "--out-dir", str(out), "--db", db])
    assert result.exit_code == 0
    assert _rows(out / "commitments.csv") == []
    assert (out / "releases.csv").exists()


def test_the_default_store_does_not_follow_the_current_directory(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("ESGDATA_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    result = runner.invoke(cli, ["ingest", str(SEED), "-j", "1"])
    assert result.exit_code == 0, result.output
    where = load_config().data_dir
    assert where == tmp_path / "home" / ".local" / "share" / "esgdata"
    monkeypatch.chdir(second)
    assert load_config().data_dir == where
    info = runner.invoke(cli, ["info"])
    assert info.exit_code == 0, info.output
    assert "releases: 1" in info.stdout and str(where / "esgdata.db") in info.stdout
    assert not (first / "data").exists() and not (second / "data").exists()


@pytest.mark.parametrize(
    "args",
    [["info"], ["export", "--out-dir", "out"], ["review", "audit"], ["review", "quality"],
     ["threads", "list"], ["users", "list"]],
)  # fmt: skip
def test_a_command_that_only_reads_never_creates_a_store(runner, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "nothing" / "here.db"
    result = runner.invoke(cli, [*args, "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1
    assert "no store at" in result.output and "esgdata ingest" in result.output
    assert not db.exists() and not db.parent.exists()
    assert "Traceback" not in result.output


def test_a_command_that_only_reads_never_makes_the_schema_in_an_empty_database(runner, tmp_path):
    from sqlalchemy import create_engine, inspect

    db = tmp_path / "empty.db"
    create_engine(f"sqlite:///{db}").connect().close()  # an empty database file, no tables
    result = runner.invoke(cli, ["info", "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1 and "no store at" in result.output
    assert inspect(create_engine(f"sqlite:///{db}")).get_table_names() == []


@pytest.mark.parametrize("args", [["export", "--out-dir", "out"], ["threads", "list"], ["users", "list"]])
def test_commands_name_the_store_they_use(runner, db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    runner.invoke(cli, ["ingest", str(SEED), "--db", db, "-j", "1"])
    result = runner.invoke(cli, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    assert f"store: {db}" in result.stderr
    assert "store:" not in result.stdout


def test_the_size_limit_has_one_unit_in_messages_and_help(runner, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 20_970_000)  # over 20 MB, under 20 MiB: once reported as "21 MB over the 21 MB"
    result = runner.invoke(cli, ["ingest", str(big), "--db", f"sqlite:///{tmp_path / 's.db'}", "-j", "1"])
    assert result.exit_code == 1
    assert "is 21 MB, over the 20 MB limit" in result.stderr
    assert "1,000,000 bytes" in " ".join(runner.invoke(cli, ["ingest", "--help"]).output.split())


def test_a_bad_database_url_is_one_line_of_error_not_a_traceback(runner):
    result = runner.invoke(cli, ["info", "--db", "not a url"])
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert "not a database URL" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- extract


def test_extract_writes_both_csvs_without_a_store(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["extract", str(SEED), "--out-dir", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(_rows(out / "commitments.csv")) == 5
    assert len(_rows(out / "releases.csv")) == 1
    assert "5 commitments" in result.stderr
    assert not (tmp_path / "data").exists()  # no store was created


def test_extract_with_a_bad_file_still_writes_the_good_ones_and_exits_one(runner, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00" * 20)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["extract", str(SEED), str(bad), "--out-dir", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert "broken.txt" in result.stderr
    assert len(_rows(out / "releases.csv")) == 1


def test_extract_and_export_give_the_same_commitments(runner, db, tmp_path):
    runner.invoke(cli, ["extract", str(SEEDS), "--out-dir", str(tmp_path / "a"), "-j", "1"])
    runner.invoke(cli, ["ingest", str(SEEDS), "--db", db, "-j", "1"])
    runner.invoke(cli, ["export", "--out-dir", str(tmp_path / "b"), "--db", db])
    spec = SPEC_COMMITMENT_COLUMNS
    a = [{k: r[k] for k in spec} for r in _rows(tmp_path / "a" / "commitments.csv")]
    b = [{k: r[k] for k in spec} for r in _rows(tmp_path / "b" / "commitments.csv")]
    assert a == b and a


# ---------------------------------------------------------------- classify


def test_classify_reads_stdin_and_prints_one_json_object_per_line(runner):
    lines = [
        "CECEP will peak carbon emissions by 2028.",
        "",
        "Song Xin attended the opening ceremony in Beijing.",
        "中国节能始终坚持把安全生产放在首位。",
    ]
    result = runner.invoke(cli, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == [line for line in lines if line]
    assert [o["kind"] for o in out] == ["target", None, "practice"]
    assert out[0]["target_years"] == [2028]
    assert out[2]["language"] == "zh"
    assert "中国节能" in result.stdout  # not escaped


def test_classify_takes_sentences_as_arguments(runner):
    result = runner.invoke(cli, ["classify", "CECEP aims to become a world-class enterprise."])
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["kind"] == "pledge"


def test_classify_honours_the_language_option(runner):
    result = runner.invoke(cli, ["classify", "--language", "zh", "公司将加快发展新能源。"])
    assert json.loads(result.stdout)["language"] == "zh"
