"""English pages write dates as Europeans do (day-month, 24-hour clock), Dutch ones as before;
the language code, which picks translations and catalog names, stays "en" or "nl"."""

from datetime import UTC, datetime

import pytest
from flask import render_template_string

from outreach.languages import current_language

# 15:05:27 in Amsterdam (winter time).
AFTERNOON = datetime(2026, 12, 2, 14, 5, 27, tzinfo=UTC)
PAGE = "{{ current_language }}|{{ moment|localdate }}|{{ moment|localtime }}"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("en-US", "en|2 Dec 2026|2 Dec 2026, 15:05:27"),
        ("en", "en|2 Dec 2026|2 Dec 2026, 15:05:27"),
        ("nl", "nl|2 dec 2026|2 dec 2026, 15:05:27"),
    ],
)
def test_dates_in_the_page_language(app, accept, expected):
    with app.test_request_context(headers={"Accept-Language": accept}):
        assert render_template_string(PAGE, moment=AFTERNOON) == expected
        assert current_language() == expected[:2]


def test_an_english_page_is_marked_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert b'<html lang="en">' in page.data
