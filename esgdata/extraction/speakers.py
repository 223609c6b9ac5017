"""Who speaks for the organisation at each sentence of a release.

A speaker is named with a speech verb ("Song Xin pointed out that", "said Tom Fanning",
宋鑫指出, 董事长宋鑫在会上强调); later a surname alone ("Song remarked") or a pronoun
("He said", 他表示) points back to them. A speaker carries through the rest of the
paragraph. A new English paragraph starts without one unless it opens with a pronoun, a
speech verb or the next item of an enumeration the speaker began; Chinese reports run a
leader's speech over several paragraphs, so there the speaker carries on until someone
else is named or a paragraph opens on a date or reports an event (出席, 会见, 签署…).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from . import lexicon, organizations
from .matcher import fold, trie_pattern
from .segment import Unit

_PARTICLES = r"(?:van|von|de|der|den|du|da|di|la|le|el|al)"
_PARTICLE_WORDS = frozenset(_PARTICLES[3:-1].split("|"))
_TOKEN = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?"
_STOP_TOKENS = {
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "In",
    "At",
    "On",
    "As",
    "Speaking",
    "According",
    "During",
    "After",
    "Before",
    "When",
    "While",
    "Meanwhile",
    "And",
    "But",
    "China",
    "Chinese",
    "Beijing",
    "Party",
    "Company",
    "Group",
    "Corporation",
    "Ltd",
    "Co",
    "State",
    "National",
    "Central",
    "Council",
    "Committee",
    "Ministry",
    "Commission",
    "Office",
    "Bureau",
    "Government",
    "Association",
    "Society",
    "Agency",
    "Alliance",
    "Forum",
    "Conference",
    "Report",
    "General",
    "Secretary",
    "Chairman",
    "President",
    "Director",
    "Manager",
    "Vice",
    "Deputy",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Chief",
    "Executive",
    "Standing",
    "First",
    "Second",
    "Third",
    "Finally",
    "Xinhua",
    "Reuters",
    "Friday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Qinghai",
    "Xinjiang",
    "Tibet",
    "Guangdong",
    "Sichuan",
    "Henan",
    "Hunan",
    "Hubei",
    "Anhui",
    "Jiangsu",
    "Zhejiang",
    "Shanghai",
    "Tianjin",
    "Yunnan",
    "Guizhou",
    "Gansu",
    "Shanxi",
    "Shaanxi",
    "Hebei",
    "Shandong",
    "Fujian",
    "Jiangxi",
    "Liaoning",
    "Jilin",
    "Hainan",
    "Ningxia",
    "Inner",
    "Mongolia",
    "Chongqing",
    "Hong",
    "Kong",
    "Macao",
    "Taiwan",
    "Africa",
    "Asia",
    "Europe",
    "America",
    "Southern",
    "Northern",
    "Eastern",
    "Western",
    "Energy",
    "Power",
    "Grid",
    "Solar",
    "Wind",
    "Oil",
    "Gas",
    "Coal",
    "Steel",
}


_HONORIFICS = {"Mr", "Mrs", "Ms", "Dr", "Sir", "Dame", "Madam", "Prof"}


@lru_cache(maxsize=1)
def _title_set() -> frozenset[str]:
    """Single-word job titles, lower-cased ("chairman", "ceo")."""
    return frozenset(t.lower() for t in lexicon.people()["titles_en"] if " " not in t) - {"member", "board"}


# Characters that commonly follow a two-character name, so cannot be its third character.
_ZH_AFTER_NAME = set("在与和同等一到出主会表指强要说介提认希共率带分陪致为对就欢接调参见也还并先又指")


@lru_cache(maxsize=1)
def _zh_scene() -> re.Pattern[str]:
    events = sorted(lexicon.cues()["zh"]["event"], key=len, reverse=True)
    return re.compile(rf"^[\d一二三四五六七八九十]{{1,2}}月|^\d{{4}}年|{'|'.join(map(re.escape, events))}")


def _zh_new_scene(text: str) -> bool:
    """A paragraph that opens on a date or reports an event is no longer the speech."""
    return bool(_zh_scene().search(text))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    people = lexicon.people()
    # Word lists folded into prefix tries: one alternation per list is slow at every position.
    verbs_en = trie_pattern(people["verbs_en"])
    verbs_zh = trie_pattern(people["verbs_zh"])
    surnames_zh = trie_pattern(people["surnames_zh"])
    titles_en = trie_pattern(people["titles_en"])
    titles_zh = trie_pattern(people["titles_zh"])
    name = rf"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?{_TOKEN}(?:\s+(?:{_PARTICLES}\s+)?{_TOKEN}){{0,3}}"
    return {
        "en_name_verb": re.compile(
            rf"(?P<name>{name})(?:,\s(?P<title>[^;]{{2,160}}?),)?\s+(?:also\s+|further\s+|then\s+|later\s+|[a-z]+\s+)?(?:{verbs_en})\b"
        ),
        "en_appositive": re.compile(rf"(?P<name>{name}),\s(?P<title>[^,;]{{2,160}}?)[,;]"),
        "en_verb_name": re.compile(
            rf"\b(?:{verbs_en}|[Aa]ccording to)\s+(?P<name>{name})(?:,\s(?P<title>[^,;]{{2,160}}?)[,.])?"
        ),
        "en_subject": re.compile(rf"^(?:[^,]{{0,60}},\s)?(?P<name>{name})\b"),
        "en_title_name": re.compile(
            rf"\b(?P<title>(?i:{trie_pattern(t.lower() for t in people['titles_en'])}))\s+(?P<name>{name})"
        ),
        "en_title_reference": re.compile(
            rf"\b(?:[Aa]ccording to\s+)?[Tt]he\s+(?:[A-Z][\w-]*\s+){{0,2}}(?:{titles_en})\b"
            rf"(?:,?\s+(?:{verbs_en}))?"
        ),
        "en_any_verb": re.compile(
            rf"(?<![A-Za-z]){trie_pattern([*people['verbs_en'], 'according to', 'According to'])}(?![A-Za-z])"
        ),
        "en_he_she": re.compile(r"(?<![A-Za-z])(?:[Hh]e|[Ss]he)(?![A-Za-z])"),
        "en_pronoun": re.compile(
            rf"\b(?:[Hh]e|[Ss]he)\s+(?:also\s+|further\s+|then\s+)?(?:{verbs_en})\b|\b(?:{verbs_en})\s+(?:he|she)\b|^(?:[Hh]e|[Ss]he)\b"
        ),
        "zh_name_verb": re.compile(
            rf"(?P<title>(?:{titles_zh})、?)?(?P<name>(?:{surnames_zh})[\u4e00-\u9fff]{{1,2}}?)"
            rf"(?:在[^，。；]{{0,24}}?(?:上|中|时|期间))?[，,]?(?:{verbs_zh})"
        ),
        "zh_pronoun": re.compile(rf"(?:^|[，。；：“”\"])(?:他|她)(?:还|也|进一步|同时|最后)?(?:{verbs_zh})"),
        "zh_titled": re.compile(
            rf"(?:{titles_zh})(?:[、兼](?:{titles_zh}))*(?P<name>(?:{surnames_zh})[\u4e00-\u9fff]{{1,2}})"
        ),
        # "王董谈到", "宋总表示": a surname with the short form of a title stands for a known person
        "zh_short_title": re.compile(rf"(?P<surname>{surnames_zh})(?:董|总)(?=[，,]?(?:{verbs_zh}))"),
        "zh_verb_after": re.compile(rf"[^，。；！？]{{0,24}}?(?:{verbs_zh})"),
        "zh_any_verb": re.compile(rf"(?:{verbs_zh})"),
        "zh_subject_verb": re.compile(
            rf"^(?:此外|同时|另外|对此|其中)?[，,]?(?P<subject>[^，。；：“”「」\s]{{1,14}}?)"
            rf"(?:亦|也|还|则|并|同时|进一步|今天|今日|日前|近日)?(?:{verbs_zh})"
        ),
        "en_subject_verb": re.compile(
            rf"^(?:[^,]{{0,40}},\s)?(?P<subject>[\w&'’.\- ]{{2,60}}?)\s+"
            rf"(?:also\s+|further\s+)?(?:{verbs_en})\b"
        ),
    }


@lru_cache(maxsize=2)
def _government_title(language: str) -> re.Pattern[str]:
    titles = lexicon.people()[f"government_titles_{language if language == 'zh' else 'en'}"]
    words = trie_pattern(fold(t).lower() for t in titles)
    return re.compile(words if language == "zh" else rf"\b(?:{words})\b")


@lru_cache(maxsize=1)
def _company_words() -> frozenset[str]:
    return frozenset(lexicon.people()["company_words_en"])


@lru_cache(maxsize=2)
def _agents(language: str) -> frozenset[str]:
    """Words that stand for an organisation ("the company", 该公司), lower-cased and Simplified."""
    return frozenset(fold(w).lower() for w in lexicon.cues()[language]["agent"])


@lru_cache(maxsize=1)
def _title_words() -> re.Pattern[str]:
    words = sorted((re.escape(w.lower()) for w in lexicon.people()["titles_en"]), key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(words)})\b")


@lru_cache(maxsize=1)
def _state_title() -> re.Pattern[str]:
    titles = sorted(map(re.escape, lexicon.people()["state_titles_en"]), key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(titles)})\b")


@lru_cache(maxsize=4096)
def _names_an_organization(name: str) -> bool:
    return bool(organizations.find(name))


def _titled(title: str | None) -> bool:
    return bool(title) and bool(_title_words().search((title or "").lower()))


class SpeakerTracker:
    """Feed it a release's units in order; it answers who speaks at each."""

    def __init__(
        self, language: str, body: str = "", organization_names: tuple[str, ...] = (), folded: str = ""
    ) -> None:
        self.language = language
        self._own = frozenset(fold(n).lower() for n in organization_names)
        self.current = ""
        self.last = ""
        self.paragraph = -1
        self.paragraph_had_speaker = False
        self.subject = ""  # the last person who was the subject of a sentence
        self.full_names: dict[str, str] = {}  # surname or given-name key -> full name
        people = lexicon.people()
        self._surnames_en = set(people["surnames_en"])
        self._not_names_zh = set(people["not_names_zh"])
        self._surnames_zh = set(people["surnames_zh"])
        self._verbs = (
            [m.start() for m in _patterns()["en_any_verb"].finditer(body)] if language != "zh" else []
        )
        self._body = body
        # Chinese names match in Simplified; the caller may hand over the body it already folded.
        self._folded = (folded or fold(body)) if language == "zh" and body else ""
        self._introductions_read = language == "zh"
        self._written: dict[str, str] = {}  # a Chinese name folded to Simplified -> as the release writes it
        self.outsiders: set[str] = set()  # officials of other bodies: they never speak for the organisation

    def _is_official(self, title: str) -> bool:
        """A government title that does not name the release's own organisation."""
        low = fold(title).lower()
        if any(name in low for name in self._own if len(name) >= 2):
            return False
        return bool(_government_title(self.language).search(low))

    def _register(self, name: str) -> str:
        tokens = name.split()
        if len(tokens) > 1:
            # Either end may be the surname (Chung Euisun, Andrew Mackenzie): a lone mention of
            # either resolves to the full name.
            self.full_names.setdefault(tokens[0] if tokens[0] in self._surnames_en else tokens[-1], name)
            self.full_names.setdefault(tokens[-1], name)
            self.full_names.setdefault(tokens[0], name)
        return name

    def _english_name(self, raw: str, title: str | None, speaking: bool = False) -> str:
        words = raw.split()
        tokens = [t for t in words if t.rstrip(".") not in _HONORIFICS]
        if len(tokens) < len(words) and tokens[:1] in (["He"], ["She"]) and len(tokens) >= 2:
            title = title or "Mr"  # "Mr. He Haibin": after an honorific, He is a surname
        titled = [i for i, t in enumerate(tokens) if t.lower() in _title_set()]
        if (
            titled and titled[-1] < len(tokens) - 1
        ):  # "Rio Tinto Chairman Simon Thompson": the name follows the title
            title = " ".join(filter(None, [title, *tokens[: titled[-1] + 1]]))
            tokens = tokens[titled[-1] + 1 :]
        leading = []
        while (
            tokens
            and tokens[0] in _STOP_TOKENS
            and not (tokens[0] in self._surnames_en and 2 <= len(tokens) <= 3)
            and not (tokens[0] in ("He", "She") and len(tokens) >= 2 and (_titled(title) or title == "Mr"))
        ):
            leading.append(tokens.pop(0))
        if leading:  # "Chief Executive Ben van Beurden": the title stands before the name
            title = " ".join(filter(None, [title, *leading]))
        if title and _state_title().search(title):
            return ""  # "General Secretary Xi Jinping" speaks for the state, not for the organisation
        surname_first = tokens[:1] == ["He"] or tokens[:1] == ["She"]  # kept above only when titled
        rest = tokens[1:] if surname_first else tokens
        if not tokens or any(t in _STOP_TOKENS for t in rest if t not in _PARTICLE_WORDS):
            return ""
        name = " ".join(tokens)
        if tokens[-1] in _company_words() or _names_an_organization(name):
            return ""
        if len(tokens) == 1:
            if not self._introductions_read:
                # Names introduced with a title anywhere ("Liu Jiaqiang, General Manager of CECEP,")
                # let a surname alone ("Liu stressed") resolve to the full name.
                self._introductions_read = True
                for m in _patterns()["en_appositive"].finditer(self._body):
                    if _titled(m.group("title")):
                        self._english_name(m.group("name"), m.group("title"))
                for m in _patterns()["en_title_name"].finditer(self._body):  # "Chairman Simon Thompson"
                    if len(m.group("name").split()) >= 2:
                        self._english_name(m.group("name"), m.group("title"))
            return self.full_names.get(tokens[0], "")
        # Two or three capitalised words right next to a speech verb ("said Tom Fanning") name a
        # person once organisations are ruled out; elsewhere a surname or a title must confirm it.
        if (
            name in self.full_names.values()
            or tokens[0] in self._surnames_en
            or _titled(title)
            or (speaking and len(tokens) <= 3)
        ):
            if title and self._is_official(title):
                self.outsiders.add(name)
            return self._register(name)
        return ""

    def _named_en(self, text: str, start: int = -1) -> str:
        pats = _patterns()
        introduced = pats["en_appositive"].match(text)  # "Jong-Hee Han, Vice Chairman of X, called ..."
        subject = (
            introduced
            if introduced and _titled(introduced.group("title"))
            else pats["en_subject"].match(text)
        )
        if subject:  # the person a later "He said" points back to
            title = subject.group("title") if subject is introduced else None
            self.subject = self._english_name(subject.group("name"), title) or self.subject
        if start >= 0:  # speech verbs were found in the whole body once
            i = bisect.bisect_left(self._verbs, start)
            if i == len(self._verbs) or self._verbs[i] >= start + len(text):
                return ""
        elif not pats["en_any_verb"].search(text):
            return ""
        for key in ("en_name_verb", "en_verb_name"):
            for m in pats[key].finditer(text):
                name = self._english_name(m.group("name"), m.group("title"), speaking=not m.group("title"))
                if name:
                    return name
        return ""

    def _named_zh(self, text: str, raw: str) -> str:
        """The speaker named in ``text`` (folded to Simplified; ``raw`` is the unit as written)."""
        pats = _patterns()
        for m in pats["zh_titled"].finditer(text):  # "董事长宋鑫": a person, whatever follows
            name = m.group("name")
            if len(name) == 3 and name[2] in _ZH_AFTER_NAME:  # "宋鑫在…", "宋鑫与…": a two-character name
                name = name[:2]
            if name not in self._not_names_zh and name[:2] not in self._not_names_zh:
                if self._is_official(text[max(0, m.start() - 12) : m.start("name")]):
                    self.outsiders.add(name)
                self.full_names.setdefault(name, name)
                self._written.setdefault(name, raw[m.start("name") : m.start("name") + len(name)])
                if m.start() < 12:
                    self.subject = name
        if not pats["zh_any_verb"].search(text):
            return ""  # every way below of naming a speaker needs a speech verb: skip the slow searches
        # A known person opening the sentence and a speech verb in it: "陈文健剖析了…，要求…"
        for name in self.full_names.values():
            if text.startswith(name) and pats["zh_any_verb"].search(text, len(name)):
                self.subject = name
                return name
        # A known person, then a speech verb in the same clause: "李长庚今（18）日出席活动时表示"
        for name in self.full_names.values():
            at = text.find(name)
            if at >= 0 and pats["zh_verb_after"].match(text, at + len(name)):
                self.subject = name
                return name
        short = pats["zh_short_title"].search(text)
        if short:
            # The first person of that surname the release introduced: its protagonist, as a rule.
            known = [n for n in self.full_names.values() if n.startswith(short.group("surname"))]
            if known:
                self.subject = known[0]
                return known[0]
        for m in pats["zh_name_verb"].finditer(text):
            name = m.group("name")
            if name in self._not_names_zh or name[:2] in self._not_names_zh:
                continue
            before = text[m.start("name") - 1] if m.start("name") > 0 else ""
            if (
                m.group("title")
                or name in self.full_names.values()
                or before in '，。；：、（(“" '
                or not before
            ):
                self.full_names.setdefault(name, name)
                self._written.setdefault(name, raw[m.start("name") : m.start("name") + len(name)])
                self.subject = name
                return name
        return ""

    def _organization_speaks(self, text: str) -> bool:
        """The sentence's subject is an organisation with a speech verb ("公司表示", "The utility
        said"): the organisation speaks for itself, so nobody named earlier is its speaker."""
        key = "zh_subject_verb" if self.language == "zh" else "en_subject_verb"
        m = _patterns()[key].match(text)
        if not m:
            return False
        subject = m.group("subject").strip()
        low = subject.lower()
        if low in self._own or any(name in low for name in self._own if len(name) >= 2):
            return True
        if low in _agents(self.language) or _names_an_organization(subject):
            return True
        if self.language == "zh":
            suffixes = lexicon.people()["company_suffixes_zh"]
            return subject.endswith(suffixes) and not re.search(r"[他她]", subject)
        words = subject.split()
        return bool(words) and words[-1] in _company_words()

    def _refers_back(self, text: str) -> bool:
        pats = _patterns()
        if self.language == "zh":
            return bool(pats["zh_pronoun"].search(text))
        if pats["en_he_she"].search(text) and pats["en_pronoun"].search(text):
            return True
        return " the " in text.lower() and bool(pats["en_title_reference"].search(text))

    def speaker_for(self, unit: Unit) -> str:
        """The speaker of ``unit`` (empty when nobody speaks for the organisation there)."""
        if unit.paragraph != self.paragraph:
            continues = self.paragraph_had_speaker and (
                bool(unit.marker) or (self.language == "zh" and not _zh_new_scene(unit.text))
            )
            self.paragraph = unit.paragraph
            self.paragraph_had_speaker = False
            self.current = self.last if continues else ""
        if self.language == "zh":
            # The body was folded once; a unit's slice of it is the unit folded.
            text = self._folded[unit.start : unit.end] if self._folded else fold(unit.text)
            named = self._named_zh(text, unit.text)
        else:
            text = unit.text
            named = self._named_en(text, unit.start)
        if named:
            self.current = self.last = self.subject = named
        elif self._organization_speaks(text):
            self.current = ""
        elif (self.subject or self.last) and self._refers_back(text):
            self.current = self.last = self.subject or self.last
        if self.current in self.outsiders:
            return ""  # an official of another body: their words are not the organisation's
        if self.current:
            self.paragraph_had_speaker = True
        return self._written.get(self.current, self.current)  # as the release writes it (繁體 stays)


_QUOTED = re.compile(r'^\s*[“"「『].*[”"」』][。.]?\s*$', re.S)


def attribute_quotes(units: list[Unit], speakers: list[str]) -> list[str]:
    """A quotation nobody is named for yet belongs to the speaker named right after it in the same
    paragraph ("“We will ...” Chairman Song Xin said in an interview.")."""
    out = list(speakers)
    for i in range(len(units) - 2, -1, -1):
        if (
            not out[i]
            and out[i + 1]
            and units[i + 1].paragraph == units[i].paragraph
            and _QUOTED.match(units[i].text)
        ):
            out[i] = out[i + 1]
    return out
