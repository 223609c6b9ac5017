"""Every page of the dashboard through Streamlit's AppTest: renders, filters, links, downloads, escaping."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from app import commitments, download, releases, tables
from esgdata import export, review, store, users
from esgdata.analysis import query
from esgdata.extraction.pipeline import extractor_version
from esgdata.models import Commitment, Extraction, Release, Span

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "timeline", "commitments", "releases", "sources", "download")
TITLES = {
    "overview": "ESG commitments",
    "timeline": "Timeline",
    "commitments": "Commitments",
    "releases": "Releases",
    "sources": "Sources",
    "download": "Download",
}
SCRIPT = "import sys\nsys.path.insert(0, {root!r})\nimport dashboard\ndashboard.main(start={page!r})\n"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"


def app(page: str = "overview") -> AppTest:
    """The real dashboard script, opened on ``page`` (AppTest cannot switch to callable pages)."""
    return AppTest.from_string(SCRIPT.format(root=str(ROOT), page=page), default_timeout=60)


# ---------------------------------------------------------------- a store made by hand


def _release(
    name: str,
    title: str,
    date: str,
    language: str,
    organization: str,
    paragraphs: list[str],
    items: list[dict[str, Any]],
) -> Extraction:
    """An extraction whose commitments are given (offsets found in the body), independent of the extractor."""
    release = Release(
        source_file=name,
        content_hash=hashlib.sha256(name.encode()).hexdigest(),
        title=title,
        date=date,
        source="Test wire",
        language=language,
        organization=organization,
        paragraphs=tuple(paragraphs),
    )
    body = release.body
    out = []
    for i, item in enumerate(items):
        start = body.index(item["text"])
        end = start + len(item["text"])
        cue_at = start + item["text"].index(item["cue"])
        evidence = tuple(
            Span(
                theme,
                start + item["text"].index(words),
                start + item["text"].index(words) + len(words),
                words,
            )
            for theme, words in item.get("words", [])
        )
        out.append(
            Commitment(
                id=hashlib.sha1(f"{name}{i}".encode()).hexdigest()[:16],
                source_file=name,
                start=start,
                end=end,
                text=item["text"],
                kind=item["kind"],
                themes=tuple(item["themes"]),
                pillars=tuple(dict.fromkeys(item["pillars"])),
                target_years=tuple(item.get("years", ())),
                speaker=item.get("speaker", ""),
                organization=organization,
                confidence=item["confidence"],
                cue=Span(f"{item['kind']}: test cue", cue_at, cue_at + len(item["cue"]), item["cue"]),
                theme_evidence=evidence,
                extractor_version=extractor_version(),
            )
        )
    return Extraction(release, tuple(out))


PEAK = "CECEP will peak carbon emissions by 2025."
SAFETY = "CECEP has always insisted on work safety."
SG_PEAK = "国家电网将力争2030年前实现碳达峰。"
SG_RURAL = "国家电网始终坚持推进乡村振兴。"
SASAC_ESG = "SASAC will strengthen ESG disclosure of central enterprises."
CTG_PEAK = "三峽集團將在2028年前實現碳達峰。"

EXTRACTIONS = [
    _release(
        "cecep-2021.txt", "CECEP sets its carbon plan", "2021-03-01", "en", "CECEP",
        ["CECEP met in Beijing.", f"{PEAK} {SAFETY}"],
        [
            {"text": PEAK, "kind": "target", "themes": ["climate"],
             "pillars": ["E"], "years": [2025], "speaker": "Song Xin", "confidence": 0.9, "cue": "will",
             "words": [("climate", "carbon emissions")]},
            {"text": SAFETY, "kind": "practice", "themes": ["health_safety"], "pillars": ["S"],
             "confidence": 0.6, "cue": "has always", "words": [("health_safety", "work safety")]},
        ],
    ),
    _release(
        "stategrid-2023.txt", "国家电网发布双碳行动方案", "2023-07-15", "zh", "State Grid",
        ["国家电网召开会议。", SG_PEAK + SG_RURAL],
        [
            {"text": SG_PEAK, "kind": "target", "themes": ["climate", "energy"],
             "pillars": ["E"], "years": [2030], "speaker": "刘国跃", "confidence": 0.8, "cue": "力争",
             "words": [("climate", "碳达峰")]},
            {"text": SG_RURAL, "kind": "practice", "themes": ["rural"], "pillars": ["S"],
             "confidence": 0.5, "cue": "始终坚持", "words": [("rural", "乡村振兴")]},
        ],
    ),
    _release(
        "sasac-2022.txt", "SASAC on ESG", "2022-05-05", "en", "SASAC",
        [SASAC_ESG],
        [
            {"text": SASAC_ESG, "kind": "pledge", "themes": ["esg"], "pillars": ["G"],
             "confidence": 0.7, "cue": "will", "words": [("esg", "ESG")]},
        ],
    ),
    _release(
        "ctg-2024.txt", "三峽集團碳達峰", "2024-01-10", "zh", "China Three Gorges",
        [CTG_PEAK],
        [
            {"text": CTG_PEAK, "kind": "target", "themes": ["climate"], "pillars": ["E"],
             "years": [2028], "confidence": 0.75, "cue": "將"},
        ],
    ),
]  # fmt: skip
TEXTS = {c.text: c for x in EXTRACTIONS for c in x.commitments}

HOSTILE_RELEASE = _release(
    "hostile.txt",
    f"{HOSTILE} Evil news {HOSTILE_IMG}",
    "2024-02-02",
    "en",
    "Evil Corp",
    [f"Intro {HOSTILE_IMG} paragraph.", f"Evil Corp will cut emissions by 2030 {HOSTILE} now {HOSTILE_IMG}."],
    [
        {"text": f"Evil Corp will cut emissions by 2030 {HOSTILE} now {HOSTILE_IMG}.", "kind": "target",
         "themes": ["climate"], "pillars": ["E"], "years": [2030], "confidence": 0.9, "cue": "will",
         "speaker": f"{HOSTILE_IMG}", "words": [("climate", "emissions")]},
    ],
)  # fmt: skip


def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extractions: list[Extraction]) -> Engine:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ESGDATA_DB_URL", url)
    engine = store.connect(url)
    for x in extractions:
        store.save(engine, x, "test")
    return engine


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A store of four releases (English and Chinese) written by hand."""
    return _store(tmp_path, monkeypatch, EXTRACTIONS)


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The hand-made store plus a release whose title, body and speaker carry HTML/JS."""
    return _store(tmp_path, monkeypatch, [*EXTRACTIONS, HOSTILE_RELEASE])


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store at a temporary URL (the app will load seeds/ into it)."""
    db = tmp_path / "empty.db"
    monkeypatch.setenv("ESGDATA_DB_URL", f"sqlite:///{db}")
    return db


@pytest.fixture
def no_seeds(empty_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store that stays empty: the seeds folder is empty too."""
    folder = tmp_path / "no-seeds"
    folder.mkdir()
    monkeypatch.setenv("ESGDATA_SEEDS_DIR", str(folder))
    return empty_store


def table_texts(at: AppTest) -> list[str]:
    """The commitment texts in the Commitments page's table."""
    return [tables.unwrap(t) for t in at.dataframe[0].value["text"]]


def all_text(at: AppTest) -> str:
    """Every markdown, caption, heading and alert body of the page, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in (*at.title, *at.header, *at.subheader)]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    return "\n".join(str(p) for p in parts)


# ---------------------------------------------------------------- every page renders


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_seeds_the_app_loads_itself(empty_store: Path, page: str) -> None:
    at = app(page).run()
    assert not at.exception
    assert [t.value for t in at.title] == [TITLES[page]]
    seeds = sum(1 for p in (ROOT / "seeds").iterdir() if p.is_file())
    assert at.status[0].label.startswith(f"Loaded {seeds} sample releases")
    engine = store.connect(f"sqlite:///{empty_store}")
    assert store.counts(engine)["commitments"] > 0
    if page in ("commitments", "releases"):
        assert len(at.dataframe[0].value) > 0
    if page == "overview":
        assert int(at.metric[1].value) == store.counts(engine)["commitments"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_store_and_says_what_to_do(no_seeds: Path, page: str) -> None:
    at = app(page).run()
    assert not at.exception
    assert [t.value for t in at.title] == [TITLES[page]]
    if page != "sources":
        assert any("Sources" in i.value for i in at.info)
    assert not at.dataframe


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_store_with_chinese_and_english_releases(made: Engine, page: str) -> None:
    at = app(page).run()
    assert not at.exception
    assert not at.status  # a store with data is not seeded again
    if page == "commitments":
        assert set(table_texts(at)) == set(TEXTS)
    if page == "overview":
        assert [m.value for m in at.metric[:3]] == ["4", "6", "4"]
        spec = at.get("plotly_chart")[0].proto.spec
        assert "Climate" in spec and '"climate"' in spec  # label shown, id kept as customdata


def test_the_seeds_are_loaded_once_not_on_every_rerun(empty_store: Path) -> None:
    at = app().run()
    revision = store.revision(store.connect(f"sqlite:///{empty_store}"))
    at.run()
    assert not at.status
    assert store.revision(store.connect(f"sqlite:///{empty_store}")) == revision


# ---------------------------------------------------------------- filters


FILTER_CASES = [
    ("f_org", ["CECEP"], {PEAK, SAFETY}),
    ("f_pillar", ["G"], {SASAC_ESG}),
    ("f_theme", ["energy"], {SG_PEAK}),
    ("f_kind", ["practice"], {SAFETY, SG_RURAL}),
    ("f_lang", ["zh"], {SG_PEAK, SG_RURAL, CTG_PEAK}),
    ("f_speaker", ["刘国跃"], {SG_PEAK}),
    ("f_q", "碳达峰", {SG_PEAK, CTG_PEAK}),
    ("f_q", "emissions", {PEAK}),
    ("f_q", "carbon", {PEAK, SAFETY}),
    ("f_conf", 0.8, {PEAK, SG_PEAK}),
    ("f_years", (2028, 2030), {SG_PEAK, CTG_PEAK}),
    ("f_dates", "2022-01-01 to 2023-12-31",
     {SASAC_ESG, SG_PEAK,
      SG_RURAL}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "expected"), FILTER_CASES, ids=[f"{c[0]}={c[1]}" for c in FILTER_CASES]
)
def test_each_sidebar_filter_narrows_the_table(
    made: Engine, key: str, value: Any, expected: set[str]
) -> None:
    at = app("commitments").run()
    assert len(table_texts(at)) == 6
    _widget(at, key).set_value(value).run()
    assert not at.exception
    assert set(table_texts(at)) == expected
    assert f"Showing **{len(expected)}** of 6 commitments" in all_text(at)


def _widget(at: AppTest, key: str) -> Any:
    for accessor in (at.multiselect, at.text_input, at.slider, at.date_input):
        try:
            return accessor(key=key)
        except KeyError:
            continue
    raise KeyError(key)


def test_filters_narrow_the_overview_figures_too(made: Engine) -> None:
    at = app().run()
    _widget(at, "f_lang").set_value(["zh"]).run()
    assert [m.value for m in at.metric[:3]] == ["2", "3", "2"]


def test_filters_are_written_to_the_query_string(made: Engine) -> None:
    at = app("commitments").run()
    _widget(at, "f_kind").set_value(["target"]).run()
    _widget(at, "f_org").set_value(["CECEP", "State Grid"]).run()
    assert at.query_params["kind"] in ("target", ["target"])
    assert at.query_params["org"] == ["CECEP", "State Grid"]
    _widget(at, "f_kind").set_value([]).run()
    assert "kind" not in at.query_params


def test_query_string_filters_are_honoured_on_arrival(made: Engine) -> None:
    at = app("commitments")
    at.query_params["org"] = ["State Grid", "China Three Gorges"]
    at.query_params["kind"] = "target"
    at.query_params["q"] = "碳達峰"
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_org").value == ["State Grid", "China Three Gorges"]
    assert at.multiselect(key="f_kind").value == ["target"]
    assert at.text_input(key="f_q").value == "碳達峰"
    assert set(table_texts(at)) == {"国家电网将力争2030年前实现碳达峰。", "三峽集團將在2028年前實現碳達峰。"}


def test_a_shared_link_with_unknown_values_shows_an_empty_state_not_an_error(made: Engine) -> None:
    at = app("commitments")
    at.query_params.update({"org": "Nobody Inc", "theme": "not-a-theme", "from": "garbage"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_org").value == ["Nobody Inc"]
    assert not at.dataframe
    assert any("No commitments match these filters" in i.value for i in at.info)


def test_reset_clears_every_filter_and_the_query_string(made: Engine) -> None:
    at = app("commitments")
    at.query_params.update({"org": "CECEP", "kind": "target", "min_conf": "0.5"})
    at.run()
    assert len(table_texts(at)) == 1
    at.button(key="f_reset").click().run()
    assert len(table_texts(at)) == 6
    assert at.multiselect(key="f_org").value == []
    assert not {"org", "kind", "min_conf"} & set(at.query_params)


def test_selecting_a_theme_bar_narrows_the_filters(made: Engine) -> None:
    at = app().run()
    at.session_state["ov_theme_kind_0"] = {
        "selection": {
            "points": [{"x": 2, "y": "Climate", "customdata": ["climate", "target"], "curve_number": 0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_theme").value == ["climate"]
    assert at.multiselect(key="f_kind").value == ["target"]
    assert [m.value for m in at.metric[:2]] == ["3", "3"]
    assert at.query_params["theme"] in ("climate", ["climate"])


def test_selecting_a_heatmap_cell_narrows_organisation_and_theme(made: Engine) -> None:
    at = app().run()
    at.session_state["ov_org_theme_0"] = {
        "selection": {
            "points": [{"customdata": ["State Grid", "rural"]}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert at.multiselect(key="f_org").value == ["State Grid"]
    assert at.multiselect(key="f_theme").value == ["rural"]
    assert at.metric[1].value == "1"


def test_selecting_a_month_narrows_the_dates_and_pillar(made: Engine) -> None:
    at = app().run()
    at.session_state["ov_monthly_0"] = {
        "selection": {
            "points": [{"customdata": ["E", "2023-07-01"]}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert at.text_input(key="f_dates").value == "2023-07-01 to 2023-07-31"
    assert at.multiselect(key="f_pillar").value == ["E"]
    assert at.metric[1].value == "1"


# ---------------------------------------------------------------- commitments, releases


def _select_row(at: AppTest, text: str) -> AppTest:
    position = table_texts(at).index(text)
    key = commitments.table_key(query.Filters(), "Newest first", 1)
    at.session_state[key] = {"selection": {"rows": [position], "columns": [], "cells": []}}
    return at.run()


def test_selecting_a_row_shows_its_paragraph_with_the_commitment_highlighted(made: Engine) -> None:
    at = _select_row(app("commitments").run(), "CECEP will peak carbon emissions by 2025.")
    assert not at.exception
    passage = next(m.value for m in at.markdown if "esg-passage" in m.value)
    assert '<mark class="esg-target"' in passage
    shown = re.sub(r"<[^>]+>", "", passage)  # the text a reader sees
    assert f"{PEAK} {SAFETY}" in shown  # the whole paragraph
    assert "CECEP met in Beijing" not in shown  # but not the other one
    assert '<span class="esg-cue"' in passage and '<span class="esg-theme"' in passage
    text = all_text(at)
    assert "**Cue:**" in text and "“will”" in text and "Climate" in text and "carbon emissions" in text
    link = at.page_link[0]
    assert "cecep\\-2021\\.txt" in link.value  # Markdown-escaped: file names are untrusted
    assert link.proto.page == "releases" and link.proto.query_string == "release=cecep-2021.txt"


def test_a_chinese_commitment_is_highlighted_in_its_chinese_paragraph(made: Engine) -> None:
    at = _select_row(app("commitments").run(), "国家电网将力争2030年前实现碳达峰。")
    passage = next(m.value for m in at.markdown if "esg-passage" in m.value)
    assert re.sub(r"<[^>]+>", "", passage) == SG_PEAK + SG_RURAL
    assert '<mark class="esg-target"' in passage and ">碳达峰</span>" in passage


def test_the_releases_page_lists_releases_with_their_counts(made: Engine) -> None:
    at = app("releases").run()
    table = at.dataframe[0].value
    assert table["source_file"].tolist() == [
        "ctg-2024.txt",
        "stategrid-2023.txt",
        "sasac-2022.txt",
        "cecep-2021.txt",
    ]
    assert table["commitments"].tolist() == [1, 2, 1, 2]
    _widget(at, "f_kind").set_value(["practice"]).run()
    table = at.dataframe[0].value
    assert table["source_file"].tolist() == ["stategrid-2023.txt", "cecep-2021.txt"]
    assert table["matching"].tolist() == [1, 1]


def test_reading_a_release_highlights_every_commitment_by_kind(made: Engine) -> None:
    at = app("releases")
    at.query_params["release"] = "stategrid-2023.txt"
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "国家电网发布双碳行动方案"
    body = next(m.value for m in at.markdown if "esg-release" in m.value)
    assert body.count('<mark class="esg-target"') == 1 and body.count('<mark class="esg-practice"') == 1
    assert "国家电网召开会议。" in body and body.count("<p>") == 2
    assert 'title="target · Climate, Energy"' in body


def test_selecting_a_release_row_opens_it(made: Engine) -> None:
    at = app("releases").run()
    key = releases.table_key(query.Filters(), 1)
    at.session_state[key] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    assert at.query_params["release"] == "cecep-2021.txt"
    assert at.subheader[0].value == "CECEP sets its carbon plan"


def test_a_link_to_a_release_that_is_gone_says_so(made: Engine) -> None:
    at = app("releases")
    at.query_params["release"] = "gone.txt"
    at.run()
    assert not at.exception
    assert any("gone\\.txt" in w.value for w in at.warning)


# ---------------------------------------------------------------- download


def test_the_download_page_names_the_files_after_the_filters(made: Engine) -> None:
    at = app("download")
    at.query_params["org"] = "CECEP"
    at.run()
    assert not at.exception
    today = dt.date.today().isoformat()
    assert at.download_button(key="dl_commitments").label == "commitments.csv (2 rows)"
    assert at.download_button(key="dl_releases").label == "releases.csv (1 rows)"
    text = all_text(at)
    assert f"commitments_org-CECEP_{today}.csv" in text and f"releases_org-CECEP_{today}.csv" in text


def test_download_bytes_are_the_export_functions_output_for_the_same_filters(made: Engine) -> None:
    f = query.Filters(languages=("zh",), kinds=("target",))
    every = review.reviewed_rows(made)  # what `esgdata export` writes by default
    rows = [r for r in every if r["language"] == "zh" and r["kind"] == "target"]
    assert len(rows) == 2
    expected = export.commitments_csv(rows).encode("utf-8")
    assert download.commitments_bytes(made, f) == expected
    assert expected.startswith(
        b"\xef\xbb\xbfsource_file,release_date,release_title,organization,speaker,text,kind"
    )
    files = {"stategrid-2023.txt", "ctg-2024.txt"}
    release_rows = [r for r in store.release_rows(made) if r["source_file"] in files]
    assert download.releases_bytes(made, f) == export.releases_csv(release_rows).encode("utf-8")


# ---------------------------------------------------------------- upload

UPLOAD_PASSWORD = "a long enough password"


def uploader(engine: Engine, role: str = "reviewer", name: str = "uma") -> AppTest:
    """The Sources page with ``name`` (a new account with ``role``) signed in."""
    if store.get_user(engine, name) is None:
        users.add_user(engine, users.operator(), name, UPLOAD_PASSWORD, role)
    at = app("sources").run()
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(UPLOAD_PASSWORD)
    return at.button(key="auth_submit").click().run()


@pytest.mark.parametrize("role", [None, "viewer"])
def test_a_visitor_or_a_viewer_is_told_uploading_needs_a_reviewer(made: Engine, role: str | None) -> None:
    at = uploader(made, role) if role else app("sources").run()
    assert not at.exception
    assert not [w for w in at.get("file_uploader") if getattr(w, "key", None) == "up_files"]
    assert "up_submit" not in {str(b.key) for b in at.button}
    note = " ".join(i.value for i in at.info)
    assert "needs a **reviewer** or **admin** account" in note
    if role:
        assert "a viewer" in note


def test_a_bad_upload_shows_its_error_and_leaves_the_store_unchanged(made: Engine) -> None:
    at = uploader(made)
    before = store.revision(made), store.counts(made)
    at.file_uploader(key="up_files").set_value(
        [
            ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"),
            ("notes.txt", b"", "text/plain"),
        ]
    )
    at.button(key="up_submit").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("broken\\.pdf" in e for e in errors) and any("notes\\.txt" in e for e in errors)
    assert (store.revision(made), store.counts(made)) == before


def test_an_upload_is_ingested_and_shows_up_at_once(made: Engine, tmp_path: Path) -> None:
    release = (
        "Sinopec Pledges Hydrogen\n\nSource: Wire     Date: 2024-06-01\n\n"
        "Sinopec will build 1,000 hydrogen refuelling stations by 2030.\n"
    )
    at = uploader(made)
    at.file_uploader(key="up_files").set_value(("../../sinopec.txt", release.encode("utf-8"), "text/plain"))
    at.button(key="up_submit").click().run()
    assert not at.exception
    assert not at.error
    assert "1 new" in at.success[0].value
    assert "../../sinopec.txt" in at.success[0].value.replace("\\", "")  # the file read, by its name
    assert any("kept as **sinopec\\.txt**" in i.value for i in at.info)  # and what it was renamed to
    assert store.counts(made)["releases"] == 5
    assert (tmp_path / "data" / "uploads" / "sinopec.txt").is_file()  # the name cannot climb out
    assert "5 releases" in all_text(at)


def test_the_upload_page_states_the_size_limit_and_formats(
    made: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_MAX_FILE_MB", "3")
    at = uploader(made)
    assert "up to **3 MB**" in all_text(at) and "1 MB = 1,000,000 bytes" in all_text(at)
    # The widget lets a larger file through, so the refusal comes in words, not as a red icon.
    assert at.file_uploader(key="up_files").proto.max_upload_size_mb >= 30
    assert set(at.file_uploader(key="up_files").allowed_type) >= {".txt", ".md", ".html", ".pdf", ".docx"}


def test_a_file_over_the_size_limit_is_refused_with_its_name(
    made: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_MAX_FILE_MB", "0.001")
    at = uploader(made)
    at.file_uploader(key="up_files").set_value(("big.txt", b"x" * 5000, "text/plain"))
    at.button(key="up_submit").click().run()
    assert any(
        "big\\.txt" in e.value and "is 0\\.005 MB, over the 0\\.001 MB limit" in e.value for e in at.error
    )
    assert store.counts(made)["releases"] == 4


# ---------------------------------------------------------------- untrusted text never becomes HTML


def _assert_escaped(at: AppTest) -> None:
    for m in at.markdown:
        if m.proto.allow_html:
            assert "<script" not in m.value and "<img" not in m.value, m.value
        else:  # Markdown: every "<" of release text is backslash-escaped, so it shows as text
            assert "<script" not in m.value.replace("\\<script", "") and "<img" not in m.value.replace(
                "\\<img", ""
            )
    for h in (*at.title, *at.subheader, *at.error, *at.warning, *at.info):
        assert "<script" not in h.value.replace("\\<script", "") and "<img" not in h.value.replace(
            "\\<img", ""
        )
    for chart in at.get("plotly_chart"):
        assert "<script" not in chart.proto.spec and "<img" not in chart.proto.spec


@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_release_never_reaches_any_page_unescaped(hostile: Engine, page: str) -> None:
    at = app(page)
    at.query_params["release"] = "hostile.txt"
    at.run()
    assert not at.exception
    _assert_escaped(at)


def test_a_hostile_release_is_shown_as_text_when_read(hostile: Engine) -> None:
    at = app("releases")
    at.query_params["release"] = "hostile.txt"
    at.run()
    body = next(m.value for m in at.markdown if "esg-release" in m.value)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert '<mark class="esg-target"' in body
    assert at.subheader[0].value.startswith("\\<script\\>")


def test_a_hostile_commitment_is_escaped_in_its_highlighted_passage(hostile: Engine) -> None:
    at = app("commitments")
    at.query_params["org"] = "Evil Corp"
    at.run()
    at = _select_row_with(at, query.Filters(organizations=("Evil Corp",)), 0)
    _assert_escaped(at)
    passage = next(m.value for m in at.markdown if "esg-passage" in m.value)
    assert "&lt;script&gt;" in passage and "&lt;img src=x onerror=alert(1)&gt;" in passage


def _select_row_with(at: AppTest, filters: query.Filters, position: int) -> AppTest:
    key = commitments.table_key(filters, "Newest first", 1)
    at.session_state[key] = {"selection": {"rows": [position], "columns": [], "cells": []}}
    return at.run()


# ---------------------------------------------------------------- reviews, timeline, errors


def test_the_review_status_filter_appears_once_someone_reviewed(made: Engine) -> None:
    at = app("commitments").run()
    assert not [m for m in at.multiselect if m.key == "f_status"]  # nothing reviewed: no filter
    users.add_user(made, users.operator(), "rita", "a long enough password", "reviewer")
    rita = users.authenticate(made, "rita", "a long enough password")
    cid = next(c.id for c in EXTRACTIONS[0].commitments if c.text == SAFETY)
    review.review(made, rita, cid, status="rejected", expected_version=0, comment="a <b>past</b> event")
    at = app("commitments").run()
    _widget(at, "f_status").set_value(["rejected"]).run()
    assert table_texts(at) == [SAFETY]
    assert at.query_params["status"] in ("rejected", ["rejected"])


def test_a_reviewed_correction_shows_in_the_table(made: Engine) -> None:
    users.add_user(made, users.operator(), "rita", "a long enough password", "reviewer")
    rita = users.authenticate(made, "rita", "a long enough password")
    cid = next(c.id for c in EXTRACTIONS[2].commitments)
    review.review(made, rita, cid, status="accepted", expected_version=0, themes=["governance"])
    at = app("commitments").run()
    _widget(at, "f_theme").set_value(["governance"]).run()
    assert table_texts(at) == [SASAC_ESG]
    assert at.dataframe[0].value["themes"].tolist() == ["Governance"]


def test_selecting_timeline_points_lists_their_commitments(made: Engine) -> None:
    at = app("timeline").run()
    assert len(at.get("plotly_chart")) == 1  # only the open tab is drawn
    cid = next(c.id for c in EXTRACTIONS[3].commitments)
    at.session_state["tl_points"] = {
        "selection": {"points": [{"customdata": [cid]}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    assert not at.exception
    assert table_texts(at) == [CTG_PEAK]


def test_the_download_page_on_filters_matching_nothing_disables_the_buttons(made: Engine) -> None:
    at = app("download")
    at.query_params["org"] = "Nobody Inc"
    at.run()
    assert at.download_button(key="dl_commitments").proto.disabled
    assert any("No commitments match these filters" in i.value for i in at.info)


def test_a_store_that_cannot_be_opened_is_a_sentence_not_a_stack_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESGDATA_DB_URL", "not a url at all")
    at = app().run()
    assert not at.exception
    assert "is not a database URL" in at.error[0].value.replace("\\", "")


def test_out_of_range_values_in_a_link_are_clipped_not_fatal(made: Engine) -> None:
    at = app("commitments")
    at.query_params.update({"year_from": "1990", "year_to": "2100", "min_conf": "0.73", "from": "1999-01-01"})
    at.run()
    assert not at.exception
    assert at.slider(key="f_years").value == (2025, 2030)
    assert at.slider(key="f_conf").value == pytest.approx(0.73)
    assert set(table_texts(at)) == {PEAK, SG_PEAK, CTG_PEAK}  # confidence 0.9, 0.8, 0.75


@pytest.mark.parametrize(
    ("tab", "marker"), [("Target roadmap", "Target roadmap"), ("Themes over time", "Themes over time")]
)
def test_each_timeline_tab_draws_its_chart(made: Engine, tab: str, marker: str) -> None:
    at = app("timeline").run()
    at.session_state["tl_tab"] = tab
    at.run()
    assert not at.exception
    (chart,) = at.get("plotly_chart")
    assert marker in chart.proto.spec and "Climate" in chart.proto.spec


# ---------------------------------------------------------------- honest views


UNDATED_PLAN = "SASAC will see every central enterprise peak carbon emissions by 2035."
UNDATED_RELEASE = _release(
    "sasac-undated.txt", "SASAC plan without a date", "", "en", "SASAC",
    [UNDATED_PLAN],
    [{"text": UNDATED_PLAN, "kind": "target", "themes": ["climate"], "pillars": ["E"], "years": [2035],
      "confidence": 0.85, "cue": "will", "words": [("climate", "emissions"), ("climate", "emissions")]}],
)  # fmt: skip


@pytest.fixture
def with_undated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The hand-made store plus a release that gives no date."""
    return _store(tmp_path, monkeypatch, [*EXTRACTIONS, UNDATED_RELEASE])


def _undated_button(at: AppTest, key: str) -> Any:
    return at.button(key=f"{key}_undated")


@pytest.mark.parametrize(
    ("page", "tab", "key"),
    [("overview", None, "ov_monthly"), ("timeline", None, "tl_dates"),
     ("timeline", "Themes over time", "tl_trend")],
)  # fmt: skip
def test_time_views_count_the_undated_commitments_and_lead_to_them(
    with_undated: Engine, page: str, tab: str | None, key: str
) -> None:
    at = app(page).run()
    if tab:
        at.session_state["tl_tab"] = tab
        at.run()
    assert "**1** of the 7 commitments here come from releases without a date: not on" in all_text(at)
    assert "Showing **7** of 7" in all_text(at)
    _undated_button(at, key).click().run()
    assert not at.exception
    assert table_texts(at) == [UNDATED_PLAN]
    assert at.query_params["date"] in ("none", ["none"])
    assert at.text_input(key="f_dates").value == "none"


def test_the_roadmap_keeps_an_undated_target_year_and_says_how(with_undated: Engine) -> None:
    at = app("timeline").run()
    at.session_state["tl_tab"] = "Target roadmap"
    at.run()
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert any("diamond-open" in (t.get("marker", {}).get("symbol") or []) for t in spec["data"])
    assert "drawn as hollow diamonds, without a line" in all_text(at)


def test_a_typed_date_range_applies_and_a_wrong_one_is_explained(with_undated: Engine) -> None:
    at = app("commitments").run()
    _widget(at, "f_dates").set_value("2023").run()
    assert set(table_texts(at)) == {SG_PEAK, SG_RURAL}
    assert at.query_params["from"] in ("2023-01-01", ["2023-01-01"])
    _widget(at, "f_dates").set_value("next spring").run()
    assert not at.exception
    assert any("is not a date range" in e.value for e in at.sidebar.error)
    assert len(table_texts(at)) == 7  # a mistake filters nothing


def test_the_commitments_page_can_put_undated_commitments_first(with_undated: Engine) -> None:
    at = app("commitments").run()
    assert table_texts(at)[-1] == UNDATED_PLAN
    at.selectbox(key="cm_sort").set_value("Undated first, then newest").run()
    assert table_texts(at)[0] == UNDATED_PLAN


def test_theme_words_list_each_word_once(with_undated: Engine) -> None:
    at = app("commitments").run()
    position = table_texts(at).index(UNDATED_PLAN)
    at.session_state[commitments.table_key(query.Filters(), "Newest first", 1)] = {
        "selection": {"rows": [position], "columns": [], "cells": []}
    }
    at.run()
    words = next(m.value for m in at.markdown if "**Theme words:**" in m.value)
    assert words.count("emissions") == 1


def test_the_timeline_says_how_to_select_and_selects_by_dragging(made: Engine) -> None:
    at = app("timeline").run()
    assert "Drag a box over points" in all_text(at)
    (chart,) = at.get("plotly_chart")
    assert json.loads(chart.proto.spec)["layout"]["dragmode"] == "select"


def test_the_download_preview_reads_like_the_commitments_table(made: Engine) -> None:
    users.add_user(made, users.operator(), "rita", "a long enough password", "reviewer")
    rita = users.authenticate(made, "rita", "a long enough password")
    review.review(
        made, rita, next(c.id for c in EXTRACTIONS[0].commitments), status="accepted", expected_version=0
    )
    listed = app("commitments").run().dataframe[0].value
    preview = app("download").run().dataframe[0].value
    assert preview["text"].tolist() == listed["text"].tolist()[: len(preview)]  # the same order
    assert list(preview.columns) == list(listed.columns)
    assert pd.api.types.is_datetime64_any_dtype(preview["release_day"])  # dates, shown as dates
    assert "None" not in set(preview["reviewed_by"]) and "" in set(preview["reviewed_by"])
    assert "rita" in set(preview["reviewed_by"])


def test_every_table_row_is_shown_whole_by_its_height_and_widths(made: Engine) -> None:
    at = app("commitments").run()
    grid = at.dataframe[0].proto
    config = json.loads(grid.columns)
    assert [k for k, c in config.items() if not isinstance(c.get("width"), int)] == ["_index"]
    texts = table_texts(at)
    width = config["text"]["width"]
    lines = max(tables.wrapped_lines(t, width) for t in texts)
    assert grid.row_height >= tables.row_height(lines)
