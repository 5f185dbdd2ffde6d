"""Judging a new password with zxcvbn, the strength estimator Dropbox made and others keep.

zxcvbn estimates how many guesses a password takes, knowing common passwords, words, names,
keyboard rows, repeats, sequences and dates. It knows English, not Dutch, so the words any
Dutch attacker tries first are added, with the user's name and the organisation's own words (its
sites' codes, names and cities): "Welkom2026!" or "Amsterdam2026!" is then seen for what it is.
A password must reach a score of 3 ("safely unguessable": about 10^8 guesses).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from zxcvbn import zxcvbn

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.fields import has_forbidden_characters

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn reads this much of a password; a longer one is strong for its length alone.
LONGEST_JUDGED = 72
COMMON_DUTCH = (
    "welkom",
    "wachtwoord",
    "geheim",
    "hallo",
    "doei",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "nederland",
    "holland",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "denhaag",
    "eindhoven",
    "ajax",
    "feyenoord",
    "voetbal",
    "schatje",
    "liefde",
    "outreach",
    "veldwerk",
    "straatwerk",
    "spuitomruil",
    "gebruiksruimte",
    "harmreduction",
)
# zxcvbn's warnings (English only), in the reader's language.
WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("it is a straight row of keys"),
    "Short keyboard patterns are easy to guess.": _l("it is a short keyboard pattern"),
    'Repeats like "aaa" are easy to guess.': _l('it repeats characters, like "aaa"'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'it repeats a part, like "abcabc"'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'it is a sequence, like "abc" or "6543"'
    ),
    "Recent years are easy to guess.": _l("it leans on a recent year"),
    "Dates are often easy to guess.": _l("it leans on a date"),
    "This is a top-10 common password.": _l("it is one of the 10 most common passwords"),
    "This is a top-100 common password.": _l("it is one of the 100 most common passwords"),
    "This is a very common password.": _l("it is a very common password"),
    "This is similar to a commonly used password.": _l("it is much like a commonly used password"),
    "A word by itself is easy to guess.": _l("it is a single word"),
    "Names and surnames by themselves are easy to guess.": _l("it is a name"),
    "Common names and surnames are easy to guess.": _l("it is built on a common name"),
}


def organisation_words() -> list[str]:
    """What an attacker who knows the organisation would try: its sites' codes, names, cities."""
    words = ["outreach"]
    rows = db.session.execute(select(Site.code, Site.name_en, Site.name_nl, Site.city))
    for code, name_en, name_nl, city in rows:
        parts = (code, name_en, name_nl, city, *name_en.split(), *name_nl.split())
        words.extend(part for part in parts if part)
    return words


def password_problems(password: str, username: str = "") -> list[str]:
    """Why a new password is refused (empty when it is good enough), in the reader's language."""
    if len(password) < MIN_LENGTH:
        return [_("A password needs at least %(n)d characters.", n=MIN_LENGTH)]
    if has_forbidden_characters(password):
        return [_("Contains characters that are not allowed.")]
    inputs = [username, *COMMON_DUTCH, *organisation_words()]
    judged = zxcvbn(password[:LONGEST_JUDGED], user_inputs=[word for word in inputs if word])
    if judged["score"] >= MIN_SCORE:
        return []
    return [_("This password is too easy to guess: %(why)s.", why=_why(judged, username))]


def _why(judged: dict, username: str) -> str:
    words = [
        match
        for match in judged["sequence"]
        if match.get("pattern") == "dictionary" and match.get("dictionary_name") == "user_inputs"
    ]
    if username and any(match["matched_word"] == username.lower() for match in words):
        return _("it contains your user name")
    warning = WARNINGS.get(judged["feedback"]["warning"])
    if warning is not None:
        return str(warning)
    if words:
        return _(
            "it is built on a word anyone here would try first (a common Dutch word, a place, "
            "the organisation's name)"
        )
    return _("it would be guessed quickly; a few uncommon words make a strong password")
