"""The page's language ("en", "nl") and the locale its dates and numbers are written in.

English pages write dates day-month and times on the 24-hour clock, as British English does
("2 Dec 2026, 15:05"), not "Dec 2, 2026, 3:05 PM": the teams are European. Flask-Babel's locale
is therefore `en_GB` for English; the language itself, which picks translations and catalog
names, is its first part.
"""

from flask_babel import get_locale

# The locale each language's dates and numbers are formatted in, where it is not the language.
FORMAT_LOCALES = {"en": "en_GB"}


def format_locale(language: str) -> str:
    return FORMAT_LOCALES.get(language, language)


def current_language() -> str:
    """The request's language code ("en", "nl"); English outside a request."""
    locale = get_locale()
    return locale.language if locale else "en"
