"""Docs that cannot drift: every setting and every CLI command appears in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgdata.cli import cli
from esgdata.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented_in_the_readme(setting) -> None:
    assert f"`{setting.env}`" in README


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_cli_command_is_documented_in_the_readme(command: str) -> None:
    assert f"esgdata {command}" in README


def test_the_readme_opens_with_the_two_commands() -> None:
    head = README[: README.index("## What it does")]
    assert "make serve" in head and "make test" in head


CONTRACT = (Path(__file__).resolve().parent.parent / "docs" / "contract.md").read_text(encoding="utf-8")


def _table_after(heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after ``heading`` (header and rule dropped, ticks stripped)."""
    rest = CONTRACT[CONTRACT.index(heading) :]
    lines = rest.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_the_contract_lists_the_codes_themes_with_their_pillars_and_names() -> None:
    from esgdata.extraction import lexicon

    documented = [(r[0], r[1], r[2]) for r in _table_after("## Themes and pillars")]
    assert documented == [(t.id, t.pillar, t.label) for t in lexicon.themes().values()]
    assert len(documented) == 19


def test_the_contract_lists_the_kinds_the_code_knows() -> None:
    from esgdata.models import KINDS

    assert [r[0] for r in _table_after("Each commitment has exactly one kind")] == list(KINDS)


def test_the_contract_lists_the_export_columns_in_order(engine) -> None:
    from esgdata import export, ingest, review, users

    ingest.load_seeds(engine, users.operator())
    header = export.commitments_csv(review.reviewed_rows(engine)).lstrip("\ufeff").splitlines()[0]
    documented = [r[0] for r in _table_after("### commitments.csv")]
    documented += [r[0] for r in _table_after("By default the store's export")]
    assert header.split(",") == documented
    assert [r[0] for r in _table_after("### releases.csv")] == list(export.RELEASE_COLUMNS)


def test_the_readme_links_to_the_products_own_contract() -> None:
    assert "docs/contract.md" in README
    assert "../shared/spec" not in README
