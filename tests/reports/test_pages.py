"""Who may see reports and exports, what bad input gets, and the page of overdue referrals."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from tests.field.html import parse
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES

OCTOBER = "from=2025-10&to=2025-10"
PAGES = [
    "/reports",
    "/reports/referrals",
    "/reports/export",
    f"/reports/export?format=csv&{OCTOBER}",
    f"/reports/export?format=xlsx&{OCTOBER}",
]
# Pages that read the `site` argument (the export form lists the user's own sites).
SITE_PAGES = [url for url in PAGES if url != "/reports/export"]
API = [
    "/api/v1/reports/monthly?month=2025-10",
    f"/api/v1/exports/monthly.csv?{OCTOBER}",
    f"/api/v1/exports/monthly.xlsx?{OCTOBER}",
]


def export_events(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "export")
        ).scalar_one()


def with_site(url: str, *codes: str) -> str:
    separator = "&" if "?" in url else "?"
    return url + separator + "&".join(f"site={code}" for code in codes)


# -- Roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES + API)
def test_a_worker_is_refused(app, login_as, url):
    worker = login_as("worker", sites=SITES)
    response = worker.get(url)
    assert response.status_code == 403
    if url.startswith("/api/"):
        assert response.get_json()["code"] == 403
    assert export_events(app) == 0


@pytest.mark.parametrize("url", API)
def test_anonymous_api_callers_get_401_json(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("url", SITE_PAGES + API)
def test_a_supervisor_may_not_ask_for_another_sites_numbers(app, login_as, url):
    supervisor = login_as("supervisor", sites=[DCR])
    response = supervisor.get(with_site(url, NSP))
    assert response.status_code == 403
    response = supervisor.get(with_site(url, DCR, NSP))
    assert response.status_code == 403
    assert export_events(app) == 0


@pytest.mark.parametrize("url", SITE_PAGES + API)
def test_an_unknown_site_is_invalid_input(app, login_as, url):
    supervisor = login_as("supervisor", sites=[DCR])
    response = supervisor.get(with_site(url, "NOPE-1"))
    assert response.status_code == 422
    if url.startswith("/api/"):
        assert "NOPE-1" in response.get_json()["errors"]["site"][0]
    else:
        assert "NOPE-1" in response.get_data(as_text=True)
    assert export_events(app) == 0


def test_a_supervisor_sees_only_their_sites(dataset, login_as):
    supervisor = login_as("supervisor", sites=[DCR, OUT])
    body = supervisor.get("/api/v1/reports/monthly?month=2025-10").get_json()
    assert body["sites"] == [DCR, OUT]
    assert set(body["values"]) == {DCR, OUT, ALL}
    assert body["values"][ALL]["contacts"][""] == 6  # 3 + 3
    text = supervisor.get(f"/api/v1/exports/monthly.csv?{OCTOBER}").get_data(as_text=True)
    assert {line.split(",")[1] for line in text.splitlines()[1:]} == {DCR, OUT, ALL}
    page = parse(supervisor.get("/reports?month=2025-10").get_data(as_text=True))
    assert [box["value"] for box in page.find_all("input", name="site")] == [DCR, OUT]


def test_an_admin_sees_every_site(dataset, admin):
    body = admin.get("/api/v1/reports/monthly?month=2025-10").get_json()
    assert body["sites"] == list(SITES)
    assert body["values"][ALL]["contacts"][""] == 9
    body = admin.get(f"/api/v1/reports/monthly?month=2025-10&site={NSP}").get_json()
    assert body["sites"] == [NSP]
    text = admin.get(f"/api/v1/exports/monthly.csv?{OCTOBER}").get_data(as_text=True)
    assert {line.split(",")[1] for line in text.splitlines()[1:]} == {*SITES, ALL}
    page = parse(admin.get("/reports?month=2025-10").get_data(as_text=True))
    assert [box["value"] for box in page.find_all("input", name="site")] == list(SITES)


def test_the_month_says_how_many_times_were_corrected_for_a_wrong_clock(dataset, login_as):
    """K5 and I3 at the street team; the DCR has none."""
    supervisor = login_as("supervisor", sites=SITES)
    page = parse(supervisor.get("/reports?month=2025-10").get_data(as_text=True))
    note = page.one("p", data_indicator="records_time_corrected")
    assert note.text == "2 records' times were corrected because the phone's clock was wrong."
    page = parse(supervisor.get(f"/reports?month=2025-10&site={DCR}").get_data(as_text=True))
    note = page.one("p", data_indicator="records_time_corrected")
    assert note.text.startswith("0 records' times were corrected")
    body = supervisor.get("/api/v1/reports/monthly?month=2025-10").get_json()
    assert body["values"][OUT]["records_time_corrected"] == {"": 2}


def headline(page, name: str) -> str:
    element = page.one(data_indicator=name)
    return element.find("dd").text


def test_dashboard_for_a_supervisor_of_one_site(dataset, login_as):
    api = login_as("supervisor", sites=[OUT])
    page = parse(api.get("/reports?month=2025-10").get_data(as_text=True))
    assert headline(page, "contacts") == "3"  # K4, K5, K6
    assert headline(page, "people_contacted") == "5"  # 1 + 3 + 1
    assert headline(page, "syringes_distributed") == "25"
    assert headline(page, "return_rate") == "136%"  # 34 / 25
    assert headline(page, "incidents") == "1"


# -- Bad input: 422 with the field, never 500 ------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2025-13", "month"),
        ("month=2025-00", "month"),
        ("month=2025-1", "month"),
        ("month=October", "month"),
        ("month=0000-01", "month"),
        ("month=9999-12", "month"),
        ("month=2025-10&site=" + "X" * 41, "site"),
        ("month=2025-10&site=%00", "site"),
    ],
)
def test_bad_report_arguments(supervisor, query, field):
    response = supervisor.get(f"/api/v1/reports/monthly?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422
    assert body["errors"][field]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-13&to=2025-12", "from"),
        ("from=2025-10&to=2025-13", "to"),
        ("to=2025-10", "from"),
        ("from=2025-10", "to"),
        ("from=2025-11&to=2025-10", "to"),  # the last month before the first
        ("from=2022-01&to=2025-01", "to"),  # 37 months
        ("from=0000-01&to=0000-02", "from"),
        ("from=2099-12&to=9999-12", "to"),
        (f"{OCTOBER}&suppress=maybe", "suppress"),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_export_arguments(app, supervisor, query, field, kind):
    response = supervisor.get(f"/api/v1/exports/monthly.{kind}?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422
    assert body["errors"][field], body
    assert export_events(app) == 0


def test_36_months_is_the_most(supervisor):
    response = supervisor.get("/api/v1/exports/monthly.csv?from=2023-01&to=2025-12")
    assert response.status_code == 200
    months = {line.split(",")[0] for line in response.get_data(as_text=True).splitlines()[1:]}
    assert len(months) == 36


@pytest.mark.parametrize(
    "url",
    [
        "/reports?month=2025-13",
        "/reports?month=0001-01",
        "/reports?month=9999-12",
        "/reports/referrals?month=nope",
        "/reports/export?format=csv&from=2025-11&to=2025-10",
        "/reports/export?format=csv&from=2022-01&to=2025-01",
        "/reports/export?format=xlsx&from=9999-12&to=9999-12",
        "/reports/export?format=csv&to=2025-10",
        f"/reports/export?format=pdf&{OCTOBER}",
    ],
)
def test_bad_page_arguments_get_a_422_page(app, supervisor, url):
    response = supervisor.get(url)
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert export_events(app) == 0


# -- Referrals waiting for follow-up ---------------------------------------------------------


@pytest.fixture
def recent_referrals(dataset, build):
    """Two anonymous DCR contacts with a mental-health referral still `made`: 15 and 13 days
    ago."""
    with build() as b:
        worker = b.user("dcr-worker")
        for days in (15, 13):
            b.contact(
                datetime.now(UTC) - timedelta(days=days),
                DCR,
                "dcr_visit",
                by=worker,
                referrals=[("mental_health", "made", f"ORG-{days}-DAYS")],
            )


# referred_to of every referral in the data set: which are overdue (still `made` > 14 days)
OVERDUE = {
    DCR: ["ORG-S1", "ORG-15-DAYS"],  # hbv_test of September (ANNA); 15 days ago (anonymous)
    OUT: ["ORG-K4-OST"],
    NSP: ["ORG-K8"],
}
NOT_OVERDUE = [
    "ORG-13-DAYS",  # made 13 days ago
    "ORG-K1",  # attended
    "ORG-K4-HIV",  # not attended
    "ORG-K7",  # declined
    "ORG-K10-VOIDED",  # its contact is voided
    "ORG-N2",  # attended
]


def referral_sections(response) -> dict:
    """{site code: (heading, [rows as lists of cell texts])}."""
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    sections = {}
    for section in page.find_all("section"):
        code = section["aria-labelledby"].removeprefix("site-")
        rows = [[cell.text for cell in row.find_all("td")] for row in section.find_all("tr")]
        sections[code] = (section.find("h2").text, [row for row in rows if row])
    return sections


def test_referrals_page_lists_the_overdue_ones_per_site(recent_referrals, supervisor):
    response = supervisor.get("/reports/referrals")
    sections = referral_sections(response)
    assert list(sections) == [DCR, OUT, NSP]
    for code, referred_to in OVERDUE.items():
        heading, rows = sections[code]
        assert heading.endswith(f"· {len(referred_to)}"), heading
        assert [row[2] for row in rows] == referred_to  # oldest first
    dcr_rows = sections[DCR][1]
    assert dcr_rows[0][1:5] == ["HBV test", "ORG-S1", "ANNA", "dcr-worker"]
    assert dcr_rows[1][1:5] == ["Mental health care", "ORG-15-DAYS", "anonymous", "dcr-worker"]
    assert sections[OUT][1][0][1:5] == [
        "Opioid substitution treatment",
        "ORG-K4-OST",
        "BERT",
        "street-worker",
    ]
    text = response.get_data(as_text=True)
    for referred_to in NOT_OVERDUE:
        assert referred_to not in text, referred_to


def test_referrals_page_of_a_supervisor_of_one_site(recent_referrals, login_as):
    supervisor = login_as("supervisor", sites=[OUT])
    response = supervisor.get("/reports/referrals")
    assert list(referral_sections(response)) == [OUT]
    text = response.get_data(as_text=True)
    assert "ORG-S1" not in text and "ORG-K8" not in text


def test_referrals_page_for_a_chosen_site(recent_referrals, supervisor):
    assert list(referral_sections(supervisor.get(f"/reports/referrals?site={NSP}"))) == [NSP]


def test_referrals_page_with_nothing_waiting(supervisor):
    response = supervisor.get("/reports/referrals")
    assert response.status_code == 200
    assert "None waiting." in response.get_data(as_text=True)


def test_dashboard_counts_the_overdue_referrals(recent_referrals, supervisor):
    page = parse(supervisor.get("/reports?month=2025-10").get_data(as_text=True))
    link = next(a for a in page.find_all("a") if a.get("href", "").startswith("/reports/referrals"))
    assert link.text == "4 referrals waiting for follow-up more than 14 days"
