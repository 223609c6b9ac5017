"""The lexicon files: the contract's 19 themes with their pillars, cues, people, organisations."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import SPEC_THEME_PILLARS

from esgdata.extraction import lexicon
from esgdata.extraction.lexicon import LexiconError

SPEC_THEMES = SPEC_THEME_PILLARS  # the theme table of the contract, in its order
LOADERS: tuple[Callable[[], Any], ...] = (
    lexicon.themes,
    lexicon.cues,
    lexicon.organizations,
    lexicon.people,
    lexicon.fingerprint,
)


def _clear_caches() -> None:
    for loader in LOADERS:
        loader.cache_clear()  # type: ignore[attr-defined]


@pytest.fixture
def fresh_lexicon() -> Iterator[None]:
    """Lexicon caches empty before the test and again after it, so real files load next."""
    _clear_caches()
    yield
    _clear_caches()


def test_every_lexicon_file_loads() -> None:
    assert lexicon.themes()
    assert lexicon.cues()
    assert lexicon.organizations()
    assert lexicon.people()
    assert len(lexicon.fingerprint()) == 8


def test_the_themes_are_exactly_the_spec_ids_in_its_order() -> None:
    assert list(lexicon.themes()) == [tid for tid, _ in SPEC_THEMES]
    assert tuple(tid for tid, _ in SPEC_THEMES) == lexicon.THEME_IDS


@pytest.mark.parametrize(("theme_id", "pillar"), SPEC_THEMES)
def test_each_theme_belongs_to_the_pillar_the_spec_gives(theme_id: str, pillar: str) -> None:
    assert lexicon.themes()[theme_id].pillar == pillar
    assert lexicon.pillar_of(theme_id) == pillar


@pytest.mark.parametrize("theme_id", [tid for tid, _ in SPEC_THEMES])
def test_each_theme_has_english_and_chinese_keywords(theme_id: str) -> None:
    theme = lexicon.themes()[theme_id]
    assert theme.keywords["en"], f"{theme_id} has no English keywords"
    assert theme.keywords["zh"], f"{theme_id} has no Chinese keywords"
    assert all(word.strip() for words in theme.keywords.values() for word in words)
    assert theme.label


@pytest.mark.parametrize("language", lexicon.LANGUAGES)
def test_cues_have_every_section_in_both_languages(language: str) -> None:
    sections = lexicon.cues()[language]
    assert set(sections) == set(lexicon.CUE_KINDS)
    for kind in ("future", "practice", "agent"):
        assert sections[kind], f"{language}.{kind} is empty"


def test_people_have_surnames_titles_and_speech_verbs_in_both_languages() -> None:
    people = lexicon.people()
    assert set(people) == set(lexicon.PEOPLE_SECTIONS)
    assert "Song" in people["surnames_en"]
    assert "said" in people["verbs_en"]
    assert "宋" in people["surnames_zh"]
    assert "董事长" in people["titles_zh"]
    assert "强调" in people["verbs_zh"]


def test_cecep_is_known_by_its_english_and_chinese_names() -> None:
    cecep = lexicon.organizations()["CECEP"]
    assert "CECEP" in cecep.aliases["en"]
    assert "中国节能" in cecep.aliases["zh"]
    assert not cecep.publisher


def _broken_load(name_to_break: str, breaker: Callable[[Any], Any]) -> Callable[[str], Any]:
    real = {
        name: lexicon._load(name)
        for name in ("themes.yaml", "cues.yaml", "organizations.yaml", "people.yaml")
    }

    def load(name: str) -> Any:
        data = copy.deepcopy(real[name])
        return breaker(data) if name == name_to_break else data

    return load


def _drop_theme(data: dict[str, Any]) -> dict[str, Any]:
    del data["strategy"]
    return data


def _bad_pillar(data: dict[str, Any]) -> dict[str, Any]:
    data["climate"]["pillar"] = "X"
    return data


def _number_keyword(data: dict[str, Any]) -> dict[str, Any]:
    data["energy"]["en"].append(3060)
    return data


def _repeated_keyword(data: dict[str, Any]) -> dict[str, Any]:
    data["water"]["zh"].append(data["water"]["zh"][0])
    return data


def _missing_cue_section(data: dict[str, Any]) -> dict[str, Any]:
    del data["zh"]["practice"]
    return data


def _nameless_organization(data: dict[str, Any]) -> dict[str, Any]:
    del data["CECEP"]["name"]
    return data


def _organization_without_alias(data: dict[str, Any]) -> dict[str, Any]:
    data["CECEP"]["en"] = []
    data["CECEP"]["zh"] = []
    return data


def _missing_people_section(data: dict[str, Any]) -> dict[str, Any]:
    del data["verbs_en"]
    return data


@pytest.mark.parametrize(
    ("file_name", "breaker", "loader", "where"),
    [
        ("themes.yaml", _drop_theme, lexicon.themes, "theme ids"),
        ("themes.yaml", _bad_pillar, lexicon.themes, "climate"),
        ("themes.yaml", _number_keyword, lexicon.themes, "energy.en"),
        ("themes.yaml", _repeated_keyword, lexicon.themes, "water.zh"),
        ("themes.yaml", lambda data: ["not", "a", "mapping"], lexicon.themes, "theme ids"),
        ("cues.yaml", _missing_cue_section, lexicon.cues, "zh"),
        ("cues.yaml", lambda data: None, lexicon.cues, "en"),
        ("organizations.yaml", _nameless_organization, lexicon.organizations, "CECEP"),
        ("organizations.yaml", _organization_without_alias, lexicon.organizations, "CECEP"),
        ("people.yaml", _missing_people_section, lexicon.people, "sections"),
    ],
)
def test_a_broken_lexicon_raises_a_lexicon_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch,
    fresh_lexicon: None,
    file_name: str,
    breaker: Callable[[Any], Any],
    loader: Callable[[], Any],
    where: str,
) -> None:
    monkeypatch.setattr(lexicon, "_load", _broken_load(file_name, breaker))
    with pytest.raises(LexiconError) as caught:
        loader()
    message = str(caught.value)
    assert f"lexicons/{file_name}" in message
    assert where in message


def test_a_lexicon_file_that_is_not_yaml_raises_a_lexicon_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, fresh_lexicon: None, tmp_path: Path
) -> None:
    folder = tmp_path / "lexicons"
    folder.mkdir()
    (folder / "themes.yaml").write_text("climate: [carbon, 'unclosed\n  pillar: E\n", "utf-8")
    monkeypatch.setattr(lexicon, "resources", SimpleNamespace(files=lambda package: tmp_path))
    with pytest.raises(LexiconError, match=r"lexicons/themes\.yaml: not valid YAML"):
        lexicon.themes()


def test_the_real_lexicon_loads_again_after_a_broken_one(
    monkeypatch: pytest.MonkeyPatch, fresh_lexicon: None
) -> None:
    monkeypatch.setattr(lexicon, "_load", _broken_load("themes.yaml", _drop_theme))
    with pytest.raises(LexiconError):
        lexicon.themes()
    monkeypatch.undo()
    _clear_caches()
    assert list(lexicon.themes()) == [tid for tid, _ in SPEC_THEMES]
