"""The indicators of DESIGN §7 on the hand-built data set (hand_worked.py), worked out by hand
(expected.py), from monthly_report directly and through GET /api/v1/reports/monthly."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports.indicators import age_group
from outreach.reports.service import monthly_report, worker_activity
from tests.reports.expected import EXPECTED, OCTOBER, flatten, non_zero
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES


def all_sites():
    return list(db.session.execute(select(Site).order_by(Site.code)).scalars())


def month_values(report, month) -> dict:
    """One month of a Report as {(site, indicator, breakdown): value}."""
    return {key[1:]: value for key, value in report.values.items() if key[0] == month}


def test_october_from_monthly_report(app, dataset):
    with app.test_request_context():
        report = monthly_report(["2025-10"], all_sites())
        assert non_zero(month_values(report, "2025-10")) == OCTOBER


def test_three_months_at_once_give_each_month_its_own_numbers(app, dataset):
    months = ["2025-09", "2025-10", "2025-11"]
    with app.test_request_context():
        report = monthly_report(months, all_sites())
        for month in months:
            assert non_zero(month_values(report, month)) == EXPECTED[month], month
        assert {key[0] for key in report.values} == set(months)


def test_return_rate_is_zero_when_nothing_came_back_and_empty_when_nothing_went_out(app, dataset):
    with app.test_request_context():
        report = monthly_report(["2025-09", "2025-10", "2025-11"], all_sites())
    assert report.values[("2025-09", NSP, "return_rate", "")] == 0  # 0 returned / 5 out
    assert report.values[("2025-11", DCR, "return_rate", "")] == 0  # 0 returned / 10 out
    assert ("2025-11", OUT, "return_rate", "") not in report.values  # 5 back, none out


def test_month_end_in_local_time(app, dataset):
    """K6 at 22:30 UTC on 31 October (23:30 CET) is October; N1 at 23:30 UTC (00:30 CET on
    1 November) is November, and so is incident I6 at 23:15 UTC."""
    with app.test_request_context():
        report = monthly_report(["2025-10", "2025-11"], all_sites())
    assert report.get("2025-10", "contacts_by_flag", "sex_work", site=OUT) == 1  # K6
    assert report.get("2025-10", "contacts", site=DCR) == 3  # K1, K2, K3; not N1
    assert report.get("2025-11", "contacts", site=DCR) == 1  # N1
    assert report.get("2025-10", "incidents", "opioid_overdose") == 2  # I1, I2; not I6
    assert report.get("2025-11", "incidents", "opioid_overdose") == 1  # I6


def test_both_half_past_twos_of_the_night_the_clocks_go_back_are_october(app, dataset):
    """26 October 2025: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET (K2 and K3)."""
    with app.test_request_context():
        report = monthly_report(["2025-10"], all_sites())
    assert report.get("2025-10", "dcr_visits", "smoke") == 1  # K2
    assert report.get("2025-10", "dcr_visits", "unknown") == 1  # K3


def test_months_around_the_change_to_summer_time(app, make_user, build):
    """29 March 2026 the clocks go from 02:00 CET to 03:00 CEST. March in UTC runs from
    28 February 23:00 to 31 March 22:00."""
    make_user("worker", SITES, username="spring-worker")
    with build() as b:
        worker = b.user("spring-worker")
        for when in (
            "2026-02-28T22:30",  # 23:30 CET, 28 February: February
            "2026-02-28T23:30",  # 00:30 CET, 1 March: March
            "2026-03-29T00:30",  # 01:30 CET: March
            "2026-03-29T01:30",  # 03:30 CEST: March
            "2026-03-31T21:30",  # 23:30 CEST, 31 March: March
            "2026-03-31T22:30",  # 00:30 CEST, 1 April: April
        ):
            b.contact(when, DCR, "dcr_visit", by=worker)
    with app.test_request_context():
        report = monthly_report(["2026-02", "2026-03", "2026-04"], all_sites())
    assert report.get("2026-02", "contacts") == 1
    assert report.get("2026-03", "contacts") == 4
    assert report.get("2026-04", "contacts") == 1


def test_worker_activity_counts_each_workers_own_contacts(app, dataset):
    with app.test_request_context():
        rows = worker_activity("2025-10", all_sites())
    assert rows == [
        # K4..K9: people 1 + 3 + 1 + 1 + 1 + 1 = 8; syringes OUT 25 + NSP 55 = 80
        {"worker": "street-worker", "contacts": 6, "people": 8, "syringes": 80},
        # K1..K3 (K10 is voided): syringes 20
        {"worker": "dcr-worker", "contacts": 3, "people": 3, "syringes": 20},
    ]


@pytest.mark.parametrize(
    ("birth_year", "group"),
    [
        (2001, "under_25"),  # 24
        (2000, "25_34"),  # 25
        (1991, "25_34"),  # 34
        (1990, "35_44"),  # 35
        (1981, "35_44"),  # 44
        (1980, "45_54"),  # 45
        (1971, "45_54"),  # 54
        (1970, "55_plus"),  # 55
        (1930, "55_plus"),  # 95
        (None, "unknown"),
    ],
)
def test_age_groups_in_2025(birth_year, group):
    assert age_group(2025, birth_year) == group


def test_api_gives_a_supervisor_the_same_october(dataset, supervisor):
    response = supervisor.get("/api/v1/reports/monthly?month=2025-10")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["month"] == "2025-10"
    assert body["sites"] == list(SITES)
    assert non_zero(flatten(body["values"])) == OCTOBER


@pytest.mark.parametrize("month", ["2025-09", "2025-11"])
def test_api_gives_the_other_months_too(dataset, supervisor, month):
    body = supervisor.get(f"/api/v1/reports/monthly?month={month}").get_json()
    assert non_zero(flatten(body["values"])) == EXPECTED[month]


def test_api_for_a_supervisor_of_one_site_totals_that_site_only(dataset, login_as):
    api = login_as("supervisor", sites=[DCR])
    body = api.get("/api/v1/reports/monthly?month=2025-10").get_json()
    assert body["sites"] == [DCR]
    # ALL is DCR's own numbers; the other sites are nowhere.
    expected = {
        (site, indicator, breakdown): value
        for (code, indicator, breakdown), value in OCTOBER.items()
        if code == DCR
        for site in (DCR, ALL)
    }
    assert non_zero(flatten(body["values"])) == expected


def test_api_for_two_chosen_sites(dataset, supervisor):
    body = supervisor.get(f"/api/v1/reports/monthly?month=2025-10&site={OUT}&site={NSP}").get_json()
    assert body["sites"] == [OUT, NSP]
    values = flatten(body["values"])
    assert values[(ALL, "contacts", "")] == 6  # 3 + 3
    assert values[(ALL, "people_contacted", "")] == 8  # 5 + 3
    assert values[(ALL, "unique_clients", "")] == 5  # BERT, CLEO + DIRK, EVA, NOOR
    assert values[(ALL, "syringes_distributed", "")] == 80  # 25 + 55
    assert values[(ALL, "syringes_returned", "")] == 71  # 34 + 37
    assert values[(ALL, "return_rate", "")] == pytest.approx(0.8875, abs=0.0006)  # 71 / 80
    assert values[(ALL, "sites_active", "")] == 2
    assert DCR not in body["values"]


def test_api_for_an_admin_covers_every_site(dataset, admin):
    body = admin.get("/api/v1/reports/monthly?month=2025-10").get_json()
    assert body["sites"] == list(SITES)
    assert non_zero(flatten(body["values"])) == OCTOBER
