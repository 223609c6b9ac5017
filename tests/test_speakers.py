"""Who speaks for the organisation at each sentence: SpeakerTracker over segment.units."""

from __future__ import annotations

import pytest

from esgdata.extraction import segment
from esgdata.extraction.speakers import SpeakerTracker


def speakers(body: str, language: str = "en") -> list[tuple[str, str]]:
    """(unit text, speaker) of every unit of ``body``, fed in order to one tracker."""
    tracker = SpeakerTracker(language, body)
    return [(u.text, tracker.speaker_for(u)) for u in segment.units(body, language)]


def speaker_of(body: str, opening: str, language: str = "en") -> str:
    found = [s for text, s in speakers(body, language) if text.startswith(opening)]
    assert len(found) == 1, speakers(body, language)
    return found[0]


# (body, opening of the unit asked about, expected speaker)
ENGLISH = [
    # a speech verb after the name names the speaker; later sentences keep them
    (
        "Song Xin pointed out that the company must save energy. He said the group will cut "
        "emissions. The group will also train more engineers.",
        "Song Xin pointed out",
        "Song Xin",
    ),
    (
        "Song Xin pointed out that the company must save energy. He said the group will cut emissions.",
        "He said",
        "Song Xin",
    ),
    (
        "Song Xin pointed out that the company must save energy. He said the group will cut "
        "emissions. The group will also train more engineers.",
        "The group will also",
        "Song Xin",
    ),
    # a surname alone resolves to the full name introduced earlier
    (
        "Song Xin, Chairman of CECEP, attended the meeting. Song stressed that safety comes first.",
        "Song stressed",
        "Song Xin",
    ),
    (
        "Liu Jiaqiang chaired the event.\n\nLiu said the group will invest in solar power.",
        "Liu said",
        "Liu Jiaqiang",
    ),
    # a pronoun points back to the person last named as a subject
    ("Song Xin attended the meeting. He said the company will grow.", "He said", "Song Xin"),
    # "said NAME" after a quotation
    (
        '"We will close every coal plant by 2030," said Tom Fanning, the chairman.',
        '"We will close',
        "Tom Fanning",
    ),
    (
        '"We will close every coal plant by 2030," said Tom Fanning, chief executive of Southern '
        "Company. The company will also build storage.",
        "The company will also",
        "Tom Fanning",
    ),
    # a title before the name is not part of the name
    (
        "Chief Executive Ben van Beurden said the firm will cut emissions.",
        "Chief Executive",
        "Ben van Beurden",
    ),
    (
        "Chief Executive Ben van Beurden said the firm will cut emissions. He added that the firm "
        "remains committed.",
        "He added",
        "Ben van Beurden",
    ),
]


@pytest.mark.parametrize(("body", "opening", "expected"), ENGLISH)
def test_the_speaker_of_an_english_sentence(body, opening, expected):
    assert speaker_of(body, opening) == expected


def test_said_followed_by_a_full_name_names_the_speaker():
    # speakers.py: 'A speaker is named with a speech verb ("... said Tom Fanning" ...)'
    body = '"We will close every coal plant by 2030," said Tom Fanning.'
    assert speaker_of(body, '"We will close') == "Tom Fanning"


def test_a_new_paragraph_resets_the_speaker():
    body = (
        "Song Xin pointed out that the company must save energy.\n\nThe company will cut emissions by 2030."
    )
    assert speaker_of(body, "The company will cut") == ""


def test_a_new_paragraph_opening_with_a_pronoun_keeps_the_speaker():
    body = "Song Xin pointed out that the group must save energy.\n\nHe said the company will add storage."
    assert speaker_of(body, "He said") == "Song Xin"


def test_the_next_items_of_an_enumeration_keep_the_speaker_across_paragraphs():
    body = (
        "Song Xin pointed out that the group must save energy.\n\n"
        "First, to focus on the main business. Second, to deepen reform."
    )
    assert speaker_of(body, "First,") == "Song Xin"
    assert speaker_of(body, "Second,") == "Song Xin"


def test_nobody_speaks_before_a_speaker_is_named():
    body = "The company will cut emissions. Song Xin said the group will grow."
    assert speaker_of(body, "The company will cut") == ""
    assert speaker_of(body, "Song Xin said") == "Song Xin"


@pytest.mark.parametrize(
    "body",
    [
        "Southern Company said it will retire coal plants by 2028. The utility will add solar.",
        "State Grid said it will invest in power grids.",
        "China Energy Conservation and Environmental Protection Group said it will cut emissions.",
        "CECEP stressed that it will cut emissions.",
        '"We will cut emissions," said Southern Company.',
    ],
)
def test_an_organisation_name_is_never_a_speaker(body):
    assert {s for _, s in speakers(body)} == {""}


def test_attending_a_meeting_does_not_make_someone_the_speaker():
    assert speakers("Song Xin attended the meeting.") == [("Song Xin attended the meeting.", "")]


# ---------------------------------------------------------------- Chinese

CHINESE = [
    ("宋鑫指出，公司要坚持绿色发展。他表示，中国节能将持续推进节能减排。", "宋鑫指出", "宋鑫"),
    ("宋鑫指出，公司要坚持绿色发展。他表示，中国节能将持续推进节能减排。", "他表示", "宋鑫"),
    ("董事长宋鑫在会上强调，要始终坚持安全生产。公司将加快转型。", "董事长宋鑫", "宋鑫"),
    ("董事长宋鑫在会上强调，要始终坚持安全生产。公司将加快转型。", "公司将加快转型", "宋鑫"),
    ("宋鑫强调，公司要坚持绿色发展。\n\n他表示，公司将持续推进改革。", "他表示", "宋鑫"),
]


@pytest.mark.parametrize(("body", "opening", "expected"), CHINESE)
def test_the_speaker_of_a_chinese_sentence(body, opening, expected):
    assert speaker_of(body, opening, "zh") == expected


def test_a_chinese_speech_carries_into_the_next_paragraph():
    body = "宋鑫指出，公司要坚持绿色发展。\n\n公司将加快转型。"
    assert speaker_of(body, "公司将加快转型", "zh") == "宋鑫"


@pytest.mark.parametrize("opening", ["4月27日，公司将加快转型。", "各部门负责人出席会议，公司将加快转型。"])
def test_a_chinese_paragraph_opening_on_a_date_or_an_event_ends_the_speech(opening):
    body = "宋鑫指出，公司要坚持绿色发展。\n\n" + opening
    assert speaker_of(body, opening.rstrip("。"), "zh") == ""


@pytest.mark.parametrize(
    "body", ["中国节能表示，将持续推进节能减排。", "国资委要求，各中央企业要做好安全生产工作。"]
)
def test_a_chinese_organisation_name_is_never_a_speaker(body):
    assert {s for _, s in speakers(body, "zh")} == {""}


def test_chinese_attendance_does_not_name_a_speaker():
    assert speaker_of("宋鑫出席会议。公司将加快转型。", "公司将加快转型", "zh") == ""


def test_a_state_leader_quoted_in_a_release_is_not_its_speaker():
    body = "General Secretary Xi Jinping put forward the strategy, and the company will follow it."
    assert speaker_of(body, "General Secretary", "en") == ""


# ---------------------------------------------------------------- names no list knows

UNLISTED = [
    # a title between the organisation's name and the person's: the person speaks
    (
        "Tarnwick Power Chairman Simon Hale said the company will close its coal plants. "
        "Hale said the board had agreed.",
        "Hale said",
        "Simon Hale",
    ),
    # Mr + surname refers back to the full name introduced with a title
    (
        "The plan was presented by chief executive Grace Okafor.\n\n"
        "Mr Okafor said the miner will publish its water data.",
        "Mr Okafor said",
        "Grace Okafor",
    ),
    # after an honorific, He is a surname, not a pronoun
    ("According to Mr. He Lin, the group has always put safety first.", "According to", "He Lin"),
    # a hyphenated given name introduced with its title
    (
        "Min-Seo Park, Vice Chairman of Velmora Motors, called the crisis a test.\n\n"
        "She said the carmaker will stop selling petrol cars.",
        "She said",
        "Min-Seo Park",
    ),
    # either end of a full name may be the surname used later
    (
        "Executive Chair Chung Hae-won opened the plant. Chung also said the group will hire locally.",
        "Chung also said",
        "Chung Hae-won",
    ),
]


@pytest.mark.parametrize(("body", "opening", "expected"), UNLISTED)
def test_a_speaker_is_found_from_titles_and_honorifics_not_only_from_surname_lists(body, opening, expected):
    assert speaker_of(body, opening) == expected


CHINESE_UNLISTED = [
    # Traditional script: titles match through folding, the name stays as written
    ("港燈董事總經理尹志田表明，公司會持續推展離岸風電項目。", "港燈董事總經理", "尹志田"),
    # a known person, then the speech verb later in the same clause
    ("國泰金總經理李長庚今（18）日出席活動時表示，國泰將全面採用綠電。", "國泰金總經理", "李長庚"),
    # 王董 stands for the chairman introduced earlier, not for a local official of the same surname
    (
        "集团董事长王祥明前往广昌调研。县长王峰等陪同。\n\n调研期间，王董谈到，集团将继续做好帮扶工作。",
        "调研期间",
        "王祥明",
    ),
    # a quotation belongs to the speaker named right after it
    (
        "“我们将主动投入污染防治攻坚战。”董事长宋鑫接受记者专访时谈到了上述看法。",
        "“我们将",
        "宋鑫",
    ),
    # a surname outside the most common ones is still a name after a title
    ("集团董事长寇伟强调，要健全安全生产责任体系。", "集团董事长", "寇伟"),
]


@pytest.mark.parametrize(("body", "opening", "expected"), CHINESE_UNLISTED)
def test_chinese_speakers_are_found_in_either_script_and_by_reference(body, opening, expected):
    from esgdata.extraction.speakers import attribute_quotes

    units = segment.units(body, "zh")
    tracker = SpeakerTracker("zh", body)
    found = attribute_quotes(units, [tracker.speaker_for(u) for u in units])
    assert [s for u, s in zip(units, found, strict=True) if u.text.startswith(opening)] == [expected]


# An organisation that speaks for itself ("公司表示", "the utility said") has no person as its
# speaker, whoever spoke before it in the release.
ORGANISATION_SPEAKS = [
    (
        "嘉和电力总经理赵明远表示，公司将加快建设海上风电。嘉和电力表示，将确保客户获得可靠供电。",
        "嘉和电力表示",
        "zh",
        ("嘉和电力",),
    ),
    (
        "董事长钱立新指出，集团要守住安全底线。他强调，要加强培训。此外，公司亦表明会配合政府节能。",
        "此外，公司亦表明",
        "zh",
        (),
    ),
    (
        "總經理林家豪表示，公司會增加綠電採購。\n\n該公司表示，將於明年推出新的節能方案。",
        "該公司表示",
        "zh",
        (),
    ),
    (
        "Chief executive Dana Reyes said the group will build two wind farms. The utility said it "
        "would also close its last coal plant by 2032.",
        "The utility said",
        "en",
        (),
    ),
    (
        "Chief executive Dana Reyes said the group will build two wind farms. Marlow Telecom said it "
        "will cut its emissions by half by 2030.",
        "Marlow Telecom said",
        "en",
        (),
    ),
]


@pytest.mark.parametrize(("body", "opening", "language", "names"), ORGANISATION_SPEAKS)
def test_an_organisation_speaking_for_itself_has_no_person_as_speaker(
    body: str, opening: str, language: str, names: tuple[str, ...]
) -> None:
    tracker = SpeakerTracker(language, body, names)
    units = segment.units(body, language)
    found = [tracker.speaker_for(u) for u in units]
    assert found[0], "the person named first speaks in the first sentence"
    asked = next(i for i, u in enumerate(units) if u.text.startswith(opening))
    assert found[asked] == ""


def test_a_company_name_before_a_speech_verb_is_not_taken_for_a_person() -> None:
    assert speaker_of("Harlow Motors said it will sell only electric cars by 2035.", "Harlow Motors") == ""
    assert (
        speaker_of("Jane Harlow said the company will sell only electric cars.", "Jane Harlow")
        == "Jane Harlow"
    )


def test_an_official_of_another_body_never_speaks_for_the_organisation() -> None:
    body = (
        "8月29日，东川钢铁董事长周立平与滨江市委书记刘文涛举行座谈。\n\n"
        "刘文涛表示，希望集团继续加大投资。他说，该市将做好服务保障。\n\n"
        "周立平表示，东川钢铁将深化与滨江市的合作。"
    )
    assert [s for _, s in speakers(body, "zh")] == ["", "", "", "周立平"]
    english = (
        "Provincial governor Li Ming said the province hoped the group would build more plants. "
        "Chairman Wang Tao said the group will invest 2 billion yuan."
    )
    assert [s for _, s in speakers(english)] == ["", "Wang Tao"]


def test_a_government_body_s_own_head_speaks_for_it() -> None:
    body = "国务院国资委主任郝立新出席会议并讲话。郝立新强调，中央企业要带头做好节能降碳工作。"
    tracker = SpeakerTracker("zh", body, ("国资委",))
    assert [tracker.speaker_for(u) for u in segment.units(body, "zh")] == ["郝立新", "郝立新"]
