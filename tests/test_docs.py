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
