"""The import boundaries that docs/architecture.md draws, checked on the source's syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "esgdata"
# The layers of docs/architecture.md, in order: a module may import its own layer and the ones before it.
LAYERS = [
    ("base", {"", "__init__", "models", "errors", "config"}),
    ("readers", {"readers"}),
    ("extraction", {"extraction"}),
    (
        "store",
        {
            "schema",
            "store",
            "export",
            "users",
            "sessions",
            "review",
            "ingest",
            "learning",
            "web",
            "links",
            "fetch",
        },
    ),
    ("analysis", {"analysis"}),
    ("interface", {"cli", "__main__"}),
]
# After saving releases, ingest regroups the threads of the organisations it touched.
UPWARD = {("ingest", "analysis")}
UI_LIBRARIES = {"streamlit", "plotly"}
SQL_MODULES = {"store", "schema", "analysis.sql"}  # analysis.sql: the dashboard's read queries


def imports_of(path: Path) -> set[str]:
    """Names a module imports, relative ones resolved ('esgdata.readers.decode', 'sqlalchemy')."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["esgdata", *path.relative_to(PACKAGE).parent.parts] if path.is_relative_to(PACKAGE) else []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..x import y
                base = ".".join(
                    package[: len(package) - node.level + 1] + ([node.module] if node.module else [])
                )
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer_of(name: str) -> int:
    """Index in LAYERS of a dotted esgdata module name ('esgdata.readers.html' -> readers)."""
    parts = name.removeprefix("esgdata").lstrip(".").split(".")
    first = parts[0]
    for index, (_, members) in enumerate(LAYERS):
        if first in members:
            return index
    raise AssertionError(f"{name} is in no layer of docs/architecture.md")


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


@pytest.mark.parametrize("path", package_modules(), ids=module_name)
def test_each_layer_imports_only_itself_and_the_layers_before_it(path: Path) -> None:
    own = layer_of(f"esgdata.{module_name(path)}")
    for name in imports_of(path):
        if top(name) != "esgdata" or name.split(".")[-1] in {"__version__"}:
            continue
        target = layer_of(name)
        allowed = target <= own or (module_name(path), LAYERS[target][0]) in UPWARD
        assert allowed, f"{module_name(path)} ({LAYERS[own][0]}) imports {name} ({LAYERS[target][0]})"


def test_readers_never_touch_extraction_or_the_store() -> None:
    for path in (PACKAGE / "readers").glob("*.py"):
        internal = {n for n in imports_of(path) if top(n) == "esgdata"}
        assert all(layer_of(n) <= 1 for n in internal), path.name


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
    assert "esgdata.readers.decode" in imports_of(PACKAGE / "readers" / "html.py")
    assert "esgdata.extraction.lexicon" in imports_of(PACKAGE / "analysis" / "query.py")
