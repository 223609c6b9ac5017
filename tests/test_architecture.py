"""The import boundaries that docs/architecture.md draws, checked on the source's syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "esgdata"
EXTRACTION = {
    "segment",
    "kinds",
    "themes",
    "targets",
    "speakers",
    "organizations",
    "extract",
    "release",
    "matcher",
}
UI_LIBRARIES = {"streamlit", "plotly"}
SQL_MODULES = {"store", "schema"}


def imports_of(path: Path) -> set[str]:
    """Top-level names a module imports: 'sqlalchemy', 'esgdata.store' and 'esgdata.<x>' for relative ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from .x import y
                base = node.module or ""
                names = [base] if base else [alias.name for alias in node.names]
                found.update(f"esgdata.{name}" for name in names)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def ui_modules() -> list[Path]:
    app = ROOT / "app"
    return [ROOT / "dashboard.py", *(sorted(app.rglob("*.py")) if app.is_dir() else [])]


def top(name: str) -> str:
    return name.split(".")[0]


def module_name(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")


@pytest.mark.parametrize("path", package_modules(), ids=module_name)
def test_nothing_in_the_data_layer_imports_a_ui_library(path: Path) -> None:
    assert not {top(n) for n in imports_of(path)} & UI_LIBRARIES


@pytest.mark.parametrize("path", package_modules(), ids=module_name)
def test_only_the_store_and_its_schema_speak_sql(path: Path) -> None:
    if module_name(path) not in SQL_MODULES:
        # Passing an engine around is fine; building queries is the store's job.
        used = {n for n in imports_of(path) if top(n) == "sqlalchemy"} - {"sqlalchemy"}
        assert used <= {"sqlalchemy.Engine", "sqlalchemy.Connection"}, (
            "use esgdata.store instead; only store.py and schema.py may build queries"
        )


@pytest.mark.parametrize(
    "path", [p for p in package_modules() if module_name(p) in EXTRACTION], ids=module_name
)
def test_extraction_rules_never_reach_for_the_store_or_the_cli(path: Path) -> None:
    forbidden = {"esgdata.store", "esgdata.schema", "esgdata.ingest", "esgdata.cli", "esgdata.query"}
    assert not imports_of(path) & forbidden


@pytest.mark.parametrize(
    "path", [p for p in package_modules() if p.parent.name == "readers"], ids=module_name
)
def test_readers_only_read(path: Path) -> None:
    allowed = {"esgdata.decode", "esgdata.errors", "esgdata.models", "esgdata.readers"}
    internal = {n for n in imports_of(path) if n.startswith("esgdata.")}
    internal = {
        n
        for n in internal
        if top(n.removeprefix("esgdata.")) not in {"docx", "html", "markdown", "pdf", "text"}
    }
    assert internal <= allowed


@pytest.mark.parametrize("path", ui_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_app_never_writes_sql_or_csv_itself(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} not present")
    names = imports_of(path)
    assert {n for n in names if top(n) == "sqlalchemy"} - {"sqlalchemy"} <= {"sqlalchemy.Engine"}
    assert "esgdata.schema" not in names and "csv" not in {top(n) for n in names}


def test_the_walker_sees_relative_imports() -> None:
    """Guard for the checker itself: a module known to import the store is seen doing so."""
    assert "esgdata.store" in imports_of(PACKAGE / "cli.py")
