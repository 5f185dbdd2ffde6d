"""The Dutch catalog says what docs/glossary-nl.md says: one Dutch term for each English term.

The glossary's table is read as its "How the table is read" section explains: for every English
string that uses a term (whole words, its plural, a longer term winning over the words inside
it), the Dutch string uses the Dutch term or one of its forms; no Dutch string starts a word with
one of the term's wrong variants. The Dutch names and units of the default catalog and the
names of the demo data are held to it the same way.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from outreach.catalog.defaults import DEFAULT_EQUIPMENT, DEFAULT_REFERRAL_TYPES
from outreach.demo import DEMO_SITES, INJECTING_PACK, SMOKING_PACK

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary-nl.md"
DUTCH = ROOT / "outreach" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
HEADER = ["English", "Dutch", "Forms", "Not", "Note"]

# English strings that use a glossary word in another sense, or name the software: the term's
# headword and the exact English string.
EXCEPTIONS = {
    ("outreach", "Outreach"),  # the software's name
    ("outreach", "Set up Outreach"),
    ("site", "Recovered on site"),  # on the spot: "Ter plekke hersteld"
    # The established name: nieuwe psychoactieve stoffen.
    ("substance", "New psychoactive substances"),
}
# Placeholders name no term: "Add one %(item)s" says nothing about items.
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|\{\w*\}")


@dataclass(frozen=True)
class Term:
    english: tuple[str, ...]
    dutch: str
    forms: tuple[str, ...]
    wrong: tuple[str, ...]

    @property
    def headword(self) -> str:
        return self.english[0]

    @property
    def label(self) -> str | None:
        """The exact string a quoted term stands for, or None for a term matched as words."""
        quoted = re.fullmatch(r'"(.+)"', self.headword)
        return quoted.group(1) if quoted else None

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(text.lower() for text in (self.dutch, *self.forms))


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def table_rows() -> list[list[str]]:
    """The cells of the glossary's one table, header first."""
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    rows = [cells(line) for line in lines if line.startswith("|")]
    assert rows and rows[0] == HEADER, f"the glossary's table starts with {HEADER}"
    assert set("".join(rows[1])) <= set("-: "), "the header is followed by its separator row"
    return [rows[0], *rows[2:]]


def read_glossary() -> list[Term]:
    return [
        Term(split(english), dutch, split(forms), split(wrong))
        for english, dutch, forms, wrong, _note in table_rows()[1:]
    ]


def english_pattern(term: str) -> re.Pattern:
    """The term as whole words, case-insensitive, with its plural."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    if re.search(r"[^aeiou]y$", term):
        words = words[:-1] + "(?:y|ies)"
    elif re.search(r"(?:s|x|ch|sh)$", term):
        words += "(?:es)?"
    else:
        words += "s?"
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def terms_used(english: str, glossary: list[Term]) -> list[Term]:
    """The glossary terms an English string uses: its label's term alone, else every term whose
    words it contains, longer terms first, so "needle exchange" is not also a "needle"."""
    labelled = [term for term in glossary if term.label == english]
    if labelled:
        return labelled
    forms = sorted(
        ((form, term) for term in glossary if not term.label for form in term.english),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    used, text = [], PLACEHOLDER.sub("\0", english)
    for form, term in forms:
        pattern = english_pattern(form)
        if pattern.search(text):
            if term not in used:
                used.append(term)
            text = pattern.sub(lambda found: "\0" * len(found.group()), text)
    return used


def wrong_variants(dutch: str, term: Term) -> list[str]:
    """The wrong variants of the term that start a word of the Dutch text, unless that word is
    the Dutch term itself ("rapportage" starts with "rapport")."""
    text = dutch.lower()
    return [
        variant
        for variant in term.wrong
        for found in re.finditer(rf"(?<!\w){re.escape(variant.lower())}", text)
        if not text[found.start() :].startswith(term.accepted)
    ]


def pairs(message) -> list[tuple[str, str]]:
    """(English, Dutch) of a catalog message; Dutch's plural forms follow English's."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    return [(message.id[min(index, 1)], text) for index, text in enumerate(message.string)]


@pytest.fixture(scope="module")
def glossary() -> list[Term]:
    return read_glossary()


@pytest.fixture(scope="module")
def translations() -> list[tuple[str, str]]:
    """Every translated (English, Dutch) pair: the catalog's, and the names and units of the
    default catalog and the names of the demo's sites and packs."""
    with DUTCH.open("rb") as source:
        catalog = read_po(source)
    found = [pair for message in catalog if message.id for pair in pairs(message)]
    names = [(english, dutch) for _code, english, dutch, *_rest in DEFAULT_EQUIPMENT]
    names += [(unit_en, unit_nl) for *_rest, unit_en, unit_nl, _syringe in DEFAULT_EQUIPMENT]
    names += [(english, dutch) for _code, english, dutch in DEFAULT_REFERRAL_TYPES]
    names += [(english, dutch) for _code, english, dutch, *_rest in DEMO_SITES]
    names += [(pack["name_en"], pack["name_nl"]) for pack in (INJECTING_PACK, SMOKING_PACK)]
    return [(english, dutch) for english, dutch in found + names if dutch]


def test_the_glossary_has_one_dutch_term_per_english_term(glossary):
    assert len(glossary) > 50
    seen = {}
    for term in glossary:
        assert term.english and term.dutch, term
        assert not re.search(r"[,;/]", term.dutch), f"one Dutch term for {term.headword!r}"
        assert not term.label or len(term.english) == 1, f"a label is one string: {term}"
        for english in term.english:
            assert english.lower() not in seen, f"{english!r} in two rows"
            seen[english.lower()] = term
        for variant in term.wrong:
            assert not variant.lower().startswith(term.accepted), (term.headword, variant)
    for headword, _english in EXCEPTIONS:
        assert headword in seen, f"an exception names {headword!r}, which is not in the glossary"


def test_the_glossary_reads_as_its_table_says():
    """The matching the test relies on, on examples of the glossary's own section."""
    referral = Term(("referral",), "doorverwijzing", ("doorverwijzingen",), ("verwijzing",))
    report = Term(("report",), "rapportage", (), ("rapport",))
    needle = Term(("needle",), "naald", (), ())
    exchange = Term(("needle exchange",), "spuitomruil", (), ())
    phone = Term(("phone",), "telefoon", (), ())
    phone_contact = Term(('"Phone"',), "Telefonisch", (), ("Telefoon",))
    glossary = [referral, report, needle, exchange, phone, phone_contact]

    assert terms_used("Referrals waiting", glossary) == [referral]
    assert terms_used("Preferrals", glossary) == []
    assert terms_used("Needle exchange", glossary) == [exchange]
    assert terms_used("Needle exchange and a needle", glossary) == [exchange, needle]
    assert terms_used("Phone", glossary) == [phone_contact]
    assert terms_used("The phone's clock", glossary) == [phone]
    assert terms_used("Add one %(item)s", [Term(("item",), "artikel", (), ())]) == []
    assert wrong_variants("Soorten verwijzingen", referral) == ["verwijzing"]
    assert wrong_variants("Soorten doorverwijzingen", referral) == []
    assert wrong_variants("De rapportages en rapporten", report) == ["rapport"]
    assert wrong_variants("Telefonisch", phone_contact) == []


def test_every_translation_uses_the_glossarys_dutch_term(glossary, translations):
    drift = [
        f"  {term.headword!r} -> {term.dutch!r}: {english!r} -> {dutch!r}"
        for english, dutch in translations
        for term in terms_used(english, glossary)
        if (term.headword, english) not in EXCEPTIONS
        and not any(form in dutch.lower() for form in term.accepted)
    ]
    assert not drift, "Dutch that leaves the glossary's term (docs/glossary-nl.md):\n" + "\n".join(
        drift
    )


def test_no_translation_uses_a_wrong_variant(glossary, translations):
    """A word's wrong variants are wrong anywhere; a label's only for that label."""
    wrong = [
        f"  {variant!r} (say {term.dutch!r}): {english!r} -> {dutch!r}"
        for english, dutch in translations
        for term in glossary
        if term.label in (None, english)
        for variant in wrong_variants(dutch, term)
    ]
    assert not wrong, "Dutch that uses a variant the glossary rules out:\n" + "\n".join(wrong)


# "1 to 120", "from {min} to {max}", "between 4 and 20": limits that count.
NUMBER = r"(?:\d+|%\(\w+\)d|\{\w+\})"
INCLUSIVE_RANGE = re.compile(rf"{NUMBER} to {NUMBER}|between {NUMBER} and {NUMBER}")


def test_inclusive_limits_say_tot_en_met(translations):
    ranges = [
        (english, dutch) for english, dutch in translations if INCLUSIVE_RANGE.search(english)
    ]
    assert len(ranges) > 10, "the catalog has its limits: check INCLUSIVE_RANGE"
    wrong = [
        f"  {english!r} -> {dutch!r}"
        for english, dutch in ranges
        if "tot en met" not in dutch or re.search(rf"\btot {NUMBER}|\btussen\b", dutch)
    ]
    assert not wrong, "Inclusive limits read 'van 1 tot en met 120':\n" + "\n".join(wrong)


def test_the_dutch_says_je_not_u(translations):
    formal = [
        f"  {english!r} -> {dutch!r}"
        for english, dutch in translations
        if re.search(r"(?<!\w)(?:u|uw)(?!\w)", dutch, re.IGNORECASE)
    ]
    assert not formal, "The house style is je-vorm:\n" + "\n".join(formal)
