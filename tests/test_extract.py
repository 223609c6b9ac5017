"""extract(parse_release(read(file))): which sentences are commitments, with what evidence.

The releases here are written for this test; the seed release is the product's own example.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from esgdata.extraction import lexicon
from esgdata.extraction.pipeline import extract
from esgdata.models import Extraction
from esgdata.readers import read
from esgdata.readers.release import parse_release

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_fab0cea01f7ba7df.txt"
MAX_BYTES = 10 * 1024 * 1024

EN_SPEECH = """\
CECEP Holds Work Conference on Green Development

Source: CECEP     Date: 2024-03-05

On March 5, CECEP held its annual work conference in Beijing. Chairman Song Xin attended the \
meeting and delivered a speech.

Song Xin pointed out that CECEP will peak its carbon emissions by 2028. He said the company has \
always insisted on putting work safety first. First, to focus on the main business and serve the \
major national strategies. Second, to deepen reform and improve corporate governance. Third, to \
strengthen technological innovation and train young engineers.

Once completed, the new plant will generate 23 million kWh of electricity a year. Representatives \
of several central enterprises attended the meeting.
"""

ZH_SPEECH = """\
中国节能召开2024年工作会议

来源：中国节能     日期：2024-01-18

1月18日，中国节能召开2024年工作会议。集团领导出席会议。

董事长宋鑫在会上强调，中国节能将力争2028年前实现碳达峰。他表示，公司始终坚持把安全生产放在首位。\
宋鑫要求，一是要聚焦主责主业，服务国家战略；二是要深化改革，完善公司治理；三是要加强科技创新，加大人才培养力度。

该电站投运后每年可提供清洁电力4000万千瓦时。
"""

EN_COLON_ENUMERATION = """\
CECEP Plans the Year Ahead

Source: CECEP     Date: 2024-03-05

Song Xin pointed out that the group will focus on three tasks in the coming year. He put forward \
three requirements: First, to focus on the main business. Second, to deepen reform and improve \
corporate governance. Third, to strengthen technological innovation.
"""


def _extract_text(tmp_path: Path, name: str, text: str) -> Extraction:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(parse_release(read(path, max_bytes=MAX_BYTES)))


def _seed() -> Extraction:
    return extract(parse_release(read(SEED, max_bytes=MAX_BYTES)))


@pytest.fixture
def en_speech(tmp_path: Path) -> Extraction:
    return _extract_text(tmp_path, "en_speech.txt", EN_SPEECH)


@pytest.fixture
def zh_speech(tmp_path: Path) -> Extraction:
    return _extract_text(tmp_path, "zh_speech.txt", ZH_SPEECH)


# ---------------------------------------------------------------- a speech, English


@pytest.mark.parametrize(
    ("opening", "kind"),
    [
        ("Song Xin pointed out that CECEP will peak", "target"),
        ("He said the company has always insisted", "practice"),
        ("First, to focus on the main business", "pledge"),
        ("Second, to deepen reform", "pledge"),
        ("Third, to strengthen technological innovation", "pledge"),
    ],
)
def test_each_committing_sentence_of_an_english_speech_is_found_with_its_kind(en_speech, opening, kind):
    found = [c for c in en_speech.commitments if c.text.startswith(opening)]
    assert len(found) == 1, [c.text for c in en_speech.commitments]
    assert found[0].kind == kind


@pytest.mark.parametrize(
    "opening",
    [
        "On March 5, CECEP held its annual work conference",  # a one-off event
        "Chairman Song Xin attended the meeting",  # attendance
        "Once completed, the new plant will generate",  # a forecast about one project
        "Representatives of several central enterprises attended",  # attendance
    ],
)
def test_events_attendance_and_forecasts_of_a_speech_release_are_not_commitments(en_speech, opening):
    assert not [c for c in en_speech.commitments if c.text.startswith(opening)]


def test_an_english_speech_gives_exactly_its_five_commitments_in_body_order(en_speech):
    kinds = [c.kind for c in en_speech.commitments]
    assert kinds == ["target", "practice", "pledge", "pledge", "pledge"]
    starts = [c.start for c in en_speech.commitments]
    assert starts == sorted(starts)


def test_the_speaker_and_the_organisation_carry_through_the_speech(en_speech):
    assert {c.speaker for c in en_speech.commitments} == {"Song Xin"}
    assert {c.organization for c in en_speech.commitments} == {"CECEP"}


def test_only_targets_carry_target_years(en_speech):
    for c in en_speech.commitments:
        if c.kind != "target":
            assert c.target_years == ()
    target = next(c for c in en_speech.commitments if c.kind == "target")
    assert target.target_years == (2028,)


def test_an_enumeration_after_a_colon_gives_one_pledge_per_item(tmp_path):
    x = _extract_text(tmp_path, "colon.txt", EN_COLON_ENUMERATION)
    items = [c for c in x.commitments if c.kind == "pledge" and "to " in c.text]
    # spec 2: 'An enumeration ("First, ... Second, ... Third, ...") gives one commitment per item'
    for ordinal, words in [
        ("First", "main business"),
        ("Second", "deepen reform"),
        ("Third", "technological innovation"),
    ]:
        matching = [c for c in items if words in c.text]
        assert len(matching) == 1, (ordinal, [c.text for c in x.commitments])
        assert matching[0].text.startswith(ordinal), matching[0].text


# ---------------------------------------------------------------- a speech, Chinese


@pytest.mark.parametrize(
    ("opening", "kind"),
    [
        ("董事长宋鑫在会上强调，中国节能将力争", "target"),
        pytest.param(
            "他表示，公司始终坚持",
            "practice",
            marks=pytest.mark.xfail(
                strict=True, reason="the shipped model calls a practice inside a leader's speech a pledge"
            ),
        ),
        ("一是要聚焦主责主业", "pledge"),
        ("二是要深化改革", "pledge"),
        ("三是要加强科技创新", "pledge"),
    ],
)
def test_each_committing_sentence_of_a_chinese_speech_is_found_with_its_kind(zh_speech, opening, kind):
    found = [c for c in zh_speech.commitments if c.text.startswith(opening)]
    assert len(found) == 1, [c.text for c in zh_speech.commitments]
    assert found[0].kind == kind
    assert found[0].speaker == "宋鑫"
    assert found[0].organization == "CECEP"


def test_a_chinese_target_names_its_year(zh_speech):
    target = next(c for c in zh_speech.commitments if c.kind == "target")
    assert target.target_years == (2028,)


@pytest.mark.parametrize("opening", ["1月18日", "集团领导出席会议", "该电站投运后"])
def test_chinese_events_attendance_and_forecasts_are_not_commitments(zh_speech, opening):
    assert not [c for c in zh_speech.commitments if c.text.startswith(opening)]


def test_the_lead_in_to_a_chinese_enumeration_is_not_a_commitment(zh_speech):
    # "宋鑫要求，一是…二是…三是…": three items, and the words before 一是 commit to nothing.
    texts = [c.text for c in zh_speech.commitments]
    assert len(texts) == 5, texts
    assert not [t for t in texts if t.startswith("宋鑫要求")], texts


# ---------------------------------------------------------------- the seed release

SEED_OPENINGS = [
    ("It has always insisted on integrating ESG concept", "practice", {"esg"}),
    ("Song Xin said that as a central enterprise", "practice", {"party", "ecology"}),
    ("First, to focus on the main responsibility", "pledge", {"strategy"}),
    ("Second, to strengthen the sense of mission", "pledge", {"esg"}),
    ("Third, to focus on benchmarking", "pledge", {"governance"}),
]


def test_the_seed_release_has_exactly_five_commitments():
    assert len(_seed().commitments) == 5


@pytest.mark.parametrize(("index", "row"), list(enumerate(SEED_OPENINGS)))
def test_each_seed_commitment_has_its_kind_speaker_organisation_and_main_themes(index, row):
    opening, kind, themes = row
    c = _seed().commitments[index]
    assert c.text.startswith(opening)
    assert c.kind == kind
    assert c.speaker == "Song Xin"
    assert c.organization == "CECEP"
    assert themes <= set(c.themes), c.themes
    assert c.target_years == ()


def test_the_seed_gives_three_enumerated_pledges_and_two_practices():
    kinds = [c.kind for c in _seed().commitments]
    assert sorted(kinds) == ["pledge", "pledge", "pledge", "practice", "practice"]
    pledges = [c.text.split(",")[0] for c in _seed().commitments if c.kind == "pledge"]
    assert pledges == ["First", "Second", "Third"]


def _overlap(a: str, b: str) -> float:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(len(wa), len(wb))


def test_the_seed_matches_its_gold_annotation(shared):
    gold = json.loads((shared / "eval" / "gold" / "seed.jsonl").read_text(encoding="utf-8"))
    x = _seed()
    assert x.release.title == gold["release_title"]
    assert x.release.date == gold["release_date"]
    assert len(x.commitments) == len(gold["commitments"])
    for want in gold["commitments"]:
        got = max(x.commitments, key=lambda c, w=want: _overlap(c.text, w["text"]))
        assert _overlap(got.text, want["text"]) >= 0.5, want["text"]
        assert got.kind == want["kind"]
        assert got.speaker == want["speaker"]
        assert list(got.target_years) == want["target_years"]
        assert set(want["themes"]) <= set(got.themes), (want["text"][:40], got.themes)


# ---------------------------------------------------------------- evidence and offsets


def _all_extractions(tmp_path: Path) -> list[Extraction]:
    return [
        _seed(),
        _extract_text(tmp_path, "en_speech.txt", EN_SPEECH),
        _extract_text(tmp_path, "zh_speech.txt", ZH_SPEECH),
        _extract_text(tmp_path, "colon.txt", EN_COLON_ENUMERATION),
    ]


def _check_offsets(x: Extraction) -> None:
    body = x.release.body
    for c in x.commitments:
        assert c.text == body[c.start : c.end]
        assert c.text.strip() == c.text and c.text
        assert body[c.cue.start : c.cue.end] == c.cue.text
        assert c.start <= c.cue.start and c.cue.end <= c.end
        assert c.cue.label.startswith(c.kind + ":")
        for span in c.theme_evidence:
            assert body[span.start : span.end] == span.text
            assert c.start <= span.start and span.end <= c.end
        assert c.themes == tuple(dict.fromkeys(s.label for s in c.theme_evidence))
        pillars = {lexicon.pillar_of(t) for t in c.themes}
        assert c.pillars == tuple(p for p in "ESG" if p in pillars)
        assert 0 <= c.confidence <= 1
        assert c.kind in ("target", "pledge", "practice")


def test_every_commitment_text_and_evidence_are_slices_of_the_body(tmp_path):
    for x in _all_extractions(tmp_path):
        _check_offsets(x)


def test_commitment_ids_are_unique_within_a_release(tmp_path):
    for x in _all_extractions(tmp_path):
        ids = [c.id for c in x.commitments]
        assert len(ids) == len(set(ids))


def test_every_corpus_release_keeps_its_offsets_and_evidence_straight(shared):
    files = sorted((shared / "corpus").rglob("*.*"))
    assert files
    for path in files:
        _check_offsets(extract(parse_release(read(path, max_bytes=MAX_BYTES))))


def test_extracting_the_same_release_twice_gives_the_same_result(tmp_path):
    assert _all_extractions(tmp_path) == _all_extractions(tmp_path)


_DUMP = """
import json, sys
from esgdata.extraction.pipeline import extract
from esgdata.readers import read
from esgdata.readers.release import parse_release
out = []
for name in sys.argv[1:]:
    x = extract(parse_release(read(name, max_bytes=10**7)))
    out.append([[c.id, c.kind, c.themes, c.pillars, c.target_years, c.speaker, c.organization,
                 c.confidence, [[s.label, s.start] for s in c.theme_evidence]]
                for c in x.commitments])
print(json.dumps(out))
"""


def test_extraction_is_the_same_in_every_process_whatever_the_hash_seed(tmp_path):
    # The CLI's extract and every ingest run in fresh processes; their CSVs must not differ.
    files = [str(SEED)]
    for name, text in [("en.txt", EN_SPEECH), ("zh.txt", ZH_SPEECH)]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _DUMP, *files],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1, "theme order or evidence differs between processes"
