"""Every string the app shows has a Dutch translation, and Dutch pages are Dutch.

The strings are extracted exactly as `pybabel extract -F babel.cfg` does, so a string added to
a template or to the Python code without a Dutch translation fails here. The pages are checked
with the committed `nl/messages.po` compiled into a temporary folder, so nothing depends on a
`.mo` file left over from an earlier `make`.
"""

import json
import os
import re
from collections import Counter
from os.path import relpath
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_babel
from sqlalchemy import update

from config import Config
from outreach import marshmallow_messages
from outreach.auth.models import User
from outreach.extensions import babel, db
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "outreach" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
DUTCH = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
# The extraction of the commands at the top of babel.cfg (which say how to update the catalogs).
EXTRACT = ["extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "--add-location=file"]

# `%(name)s`, `%(n)d`, `%%`, a stray `%` (newstyle Jinja gettext applies `%` to every string),
# and `{n}` of the strings formatted with str.format (JavaScript messages, schema messages).
PLACEHOLDER = re.compile(r"%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%%|%|\{[^{}]*\}")


def read_catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source)


def key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings of the current code and templates, extracted as `pybabel extract` does."""
    pot = tmp_path_factory.mktemp("extracted") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", *EXTRACT, "-o", str(pot), str(ROOT)])
    catalog = read_catalog(pot)
    assert len(catalog) > 300, "the extraction found hardly any strings: check babel.cfg"
    return catalog


@pytest.fixture(scope="module")
def dutch():
    return read_catalog(DUTCH)


def translated(source, translation) -> bool:
    """A translation that is not fuzzy, has every plural form if the source has them, and no
    empty form."""
    if translation is None or translation.fuzzy:
        return False
    if isinstance(source.id, tuple) != isinstance(translation.id, tuple):
        return False
    forms = [translation.string] if isinstance(translation.string, str) else translation.string
    return bool(forms) and all(form.strip() for form in forms)


def where(message) -> str:
    return ", ".join(sorted({relpath(path, ROOT) for path, _line in message.locations}))


def test_every_string_has_a_dutch_translation(extracted, dutch):
    missing = [
        f"  {message.id!r} ({where(message)})"
        for message in extracted
        if message.id and not translated(message, dutch.get(message.id))
    ]
    assert not missing, (
        f"{len(missing)} string(s) without a (non-fuzzy) Dutch translation in {DUTCH.name}; "
        "extract and update as the top of babel.cfg says, then translate:\n" + "\n".join(missing)
    )


def test_the_committed_template_is_up_to_date(extracted):
    """messages.pot is what translators start from: it holds exactly the strings of the code."""
    committed = {key(message) for message in read_catalog(TEMPLATE) if message.id}
    current = {key(message) for message in extracted if message.id}
    assert sorted(current - committed) == [], "missing from messages.pot: extract again"
    assert sorted(committed - current) == [], "gone from the code but in messages.pot"


def test_dutch_plural_forms(dutch):
    assert dutch.num_plurals == 2
    assert dutch.plural_expr == "(n != 1)"
    plurals = [message for message in dutch if isinstance(message.id, tuple)]
    assert plurals, "the dashboard's overdue referrals use ngettext"
    for message in plurals:
        assert len(message.string) == 2 and all(message.string), message.id


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def test_translations_keep_the_placeholders(dutch):
    wrong = []
    for message in dutch:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, str):
            pairs = [(message.id, message.string)]
        else:  # Dutch has English's plural forms: singular for n == 1, plural otherwise
            pairs = [(message.id[min(index, 1)], text) for index, text in enumerate(message.string)]
        for source, text in pairs:
            if text and placeholders(source) != placeholders(text):
                wrong.append(f"  {source!r} -> {text!r}")
    assert not wrong, "Placeholders differ from the English:\n" + "\n".join(wrong)


def test_the_catalog_has_no_errors(dutch):
    """Babel's own checks (python-format consistency, number of plural forms)."""
    problems = [(message.id, errors) for message, errors in dutch.check()]
    assert problems == []


def test_the_app_reads_the_translations_folder(app):
    assert get_babel(app).translation_directories == [str(TRANSLATIONS)]


@pytest.fixture
def compiled_dutch(app, tmp_path, monkeypatch):
    """The app translating with nl/messages.po as committed, compiled into a temporary folder."""
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, read_catalog(DUTCH))
    monkeypatch.setattr(get_babel(app), "translation_directories", [str(tmp_path)])
    # Flask-Babel keeps loaded catalogs per language for the whole process: start and end afresh.
    with app.app_context():
        loaded = babel.domain_instance.cache
    loaded.clear()
    yield read_catalog(DUTCH)
    loaded.clear()


def page(client, url, language):
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def js_messages(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="js-messages">(.*?)</script>', html)
    assert found, "the page has no JavaScript messages"
    return json.loads(found.group(1))


def sign_in(client, username):
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()


def test_sign_in_page_follows_the_browser_language(client, compiled_dutch):
    dutch = page(client, "/login", "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7")
    english = page(client, "/login", "en")

    assert '<html lang="nl">' in dutch
    assert "<h1>Inloggen</h1>" in dutch
    assert "Wachtwoord" in dutch and "Ingelogd blijven op deze telefoon" in dutch
    assert "Sign in" not in dutch and "Password" not in dutch
    assert '<html lang="en">' in english
    assert "<h1>Sign in</h1>" in english and "Password" in english
    assert "Inloggen" not in english


def test_field_home_is_dutch_with_its_javascript_messages(client, make_user, compiled_dutch):
    sign_in(client, make_user("worker"))

    dutch = page(client, "/field", "nl")
    english = page(client, "/field", "en")

    for text in ("Nieuw contact", "Nieuw incident", "Vandaag", "Ingeleverde spuiten"):
        assert text in dutch
    for text in ("New contact", "Today", "Syringes returned", "Sign out"):
        assert text not in dutch
    assert "New contact" in english
    dutch_messages, english_messages = js_messages(dutch), js_messages(english)
    assert dutch_messages.keys() == english_messages.keys()
    for name, text in english_messages.items():
        assert dutch_messages[name] == compiled_dutch[text].string, name
    assert dutch_messages["sign_in"] == "Inloggen"
    assert dutch_messages["waiting"] == "{n} nog te synchroniseren"


def test_contact_form_labels_and_code_lists_are_dutch(client, make_user, compiled_dutch):
    sign_in(client, make_user("worker"))

    dutch = page(client, "/field/contacts/new", "nl")

    for text in (
        "Soort contact",
        "Veldwerk",
        "Bezoek gebruiksruimte",
        "Doelgroepen",
        "Heroïne",
        "Gebruikswijze (gebruiksruimte)",
        "Contact opslaan",
        "Spuit 1 ml",
    ):
        assert text in dutch
    for text in ("Kind of contact", "Street outreach", "Target groups", "Save contact"):
        assert text not in dutch


@pytest.mark.parametrize(
    ("code", "dutch"),
    [
        ("street_outreach", "Veldwerk"),
        ("phone", "Telefonisch"),
        ("injects", "Injecteert drugs"),
        ("smokes", "Rookt drugs"),
        ("homeless", "Dak- of thuisloos"),
    ],
)
def test_the_contact_forms_choices_say_what_dutch_staff_say(
    client, make_user, compiled_dutch, code, dutch
):
    """The kinds of contact and target groups read as docs/glossary-nl.md has them."""
    sign_in(client, make_user("worker"))

    form = page(client, "/field/contacts/new", "nl")

    assert re.search(rf'value="{code}"[^>]*> {re.escape(dutch)}</label>', form)


def test_the_users_own_language_wins_over_the_browser(app, client, make_user, compiled_dutch):
    username = make_user("worker")
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(language="nl"))
        db.session.commit()
    sign_in(client, username)

    assert "Nieuw contact" in page(client, "/field", "en")


def test_without_a_choice_the_organisations_default_is_dutch(app, client, compiled_dutch):
    assert os.environ.get("OUTREACH_DEFAULT_LANGUAGE", "nl") == Config.BABEL_DEFAULT_LOCALE
    app.config["BABEL_DEFAULT_LOCALE"] = "nl"  # the tests run with English

    neither = client.get("/login").get_data(as_text=True)  # no Accept-Language at all
    other = page(client, "/login", "de-DE,de;q=0.9")  # a language Outreach does not speak

    assert "<h1>Inloggen</h1>" in neither
    assert "<h1>Inloggen</h1>" in other


def test_the_librarys_own_messages_come_in_the_readers_language(login_as, compiled_dutch):
    """marshmallow writes its messages in English; the API and the forms give them in Dutch."""
    worker = login_as("worker")
    contact = {"id": "not-an-id", "occurred_at": "yesterday", "site": "AMS-DCR1"}

    response = worker.post(
        "/api/v1/sync", json={"contacts": [contact]}, headers={"Accept-Language": "nl"}
    )

    [result] = response.get_json()["results"]
    assert result["status"] == "rejected"
    assert result["errors"]["kind"] == ["Dit veld is verplicht."]
    assert result["errors"]["id"] == ["Geen geldige UUID."]
    english = worker.post("/api/v1/sync", json={"contacts": [contact]}).get_json()
    assert english["results"][0]["errors"]["kind"] == ["Missing data for required field."]


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("Length must be between 4 and 20.", "De lengte moet van 4 tot en met 20 zijn."),
        ("Must be one of: f, m, x.", "Moet een van deze zijn: f, m, x."),
        ("Must be less than or equal to 500.", "Moet hoogstens 500 zijn."),
        ("A message of our own.", "A message of our own."),
    ],
)
def test_marshmallow_messages_keep_their_values(app, compiled_dutch, english, dutch):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert marshmallow_messages.translated(english) == dutch


def test_a_user_chooses_their_own_language_on_the_home_page(app, client, make_user, compiled_dutch):
    username = make_user("worker")
    sign_in(client, username)
    token = client.get("/api/v1/me").get_json()["csrf_token"]

    chosen = client.post("/account/language", data={"csrf_token": token, "language": "nl"})

    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith("/field")
    home = page(client, "/field", "en")  # the browser asks for English
    assert "Nieuw contact" in home
    assert '<option value="nl" lang="nl" selected>' in home

    client.post("/account/language", data={"csrf_token": token, "language": ""})
    assert "New contact" in page(client, "/field", "en")
    refused = client.post("/account/language", data={"csrf_token": token, "language": "fr"})
    assert refused.status_code == 422
