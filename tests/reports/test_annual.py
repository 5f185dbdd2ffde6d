"""The year's figures (outreach/reports/annual.py): counts that add up are the sums of the
year's months, people are counted anew over the year, contacts fall into years in local time,
and syringes and outlets by outlet type add up to the syringes distributed."""

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.catalog.vocabulary import FLAGS, OUTLET_TYPE_OF_SITE_KIND, OUTLET_TYPES, SITE_KINDS
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.reports.annual import annual_report, year_months
from outreach.reports.indicators import INDICATORS, age_group
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_of, months_between, now
from tests.conftest import local_now
from tests.reports.hand_worked import ALL, DCR, NSP, OUT, SITES
from tests.supplies.helpers import movement, send

YEAR = 2025

# Counted anew over the year, or worked out from the year's sums: not the sums of the months.
PEOPLE = {
    "unique_clients",
    "unique_clients_by_flag",
    "unique_clients_by_gender",
    "unique_clients_by_age_group",
    "new_clients",
}
DERIVED = {"return_rate", "sites_active", "outlets_active", "stock_closing"}
SUMMED = {indicator.name for indicator in INDICATORS} - PEOPLE - DERIVED
OUTLETS = ("syringes_distributed_by_outlet", "outlets_active")


def all_sites():
    return list(db.session.execute(select(Site).order_by(Site.code)).scalars())


def of_year(report) -> dict:
    """{(site, indicator, breakdown): value} of an annual report, zeros left out."""
    [year] = report.months
    return {key[1:]: value for key, value in report.values.items() if key[0] == year and value}


def only(values: dict, indicators) -> dict:
    return {key: value for key, value in values.items() if key[1] in indicators and value}


def months_summed(year: int, sites, indicators) -> dict:
    """These indicators summed over the monthly reports of the year's twelve months."""
    sums = {}
    for (_month, *key), value in monthly_report(year_months(year), sites).values.items():
        if key[1] in indicators and value:
            sums[tuple(key)] = sums.get(tuple(key), 0) + value
    return sums


def people_counted_from_the_records(year: int, sites) -> dict:
    """The year's clients counted in Python from the contacts themselves (not voided, in the
    organisation's year), per site and in total: the oracle of the people indicators."""
    codes = {site.id: site.code for site in sites}
    contacts = db.session.execute(
        select(Contact).where(Contact.voided_at.is_(None), Contact.client_id.is_not(None))
    ).scalars()
    seen = {}  # site -> {client: flags ticked at any of the year's contacts}
    first = {}  # client -> (first contact ever, its site)
    for contact in contacts:
        first[contact.client] = min(
            first.get(contact.client, (contact.occurred_at, contact.site_id)),
            (contact.occurred_at, contact.site_id),
        )
        if month_of(contact.occurred_at)[:4] != str(year) or contact.site_id not in codes:
            continue
        for site in (codes[contact.site_id], ALL):
            flags = seen.setdefault(site, {}).setdefault(contact.client, set())
            flags.update(flag for flag in FLAGS if getattr(contact, flag))
    values = {}

    def add(key):
        values[key] = values.get(key, 0) + 1

    for site, clients in seen.items():
        for client, flags in clients.items():
            add((site, "unique_clients", ""))
            add((site, "unique_clients_by_gender", client.gender or "unknown"))
            add((site, "unique_clients_by_age_group", age_group(year, client.birth_year)))
            for flag in flags:
                add((site, "unique_clients_by_flag", flag))
    for when, site_id in first.values():
        if month_of(when)[:4] == str(year) and site_id in codes:
            add((codes[site_id], "new_clients", ""))
            add((ALL, "new_clients", ""))
    return values


# -- The hand-worked data set (tests/reports/hand_worked.py: September to November 2025) ------


def test_the_report_is_keyed_by_the_year(app, dataset):
    with app.test_request_context():
        report = annual_report(YEAR, all_sites())
    assert report.months == ["2025"]
    assert {key[0] for key in report.values} == {"2025"}
    assert report.get("2025", "contacts") == 14  # 3 in September, 9 in October, 2 in November


def test_counts_that_add_up_are_the_sums_of_the_months(app, dataset):
    with app.test_request_context():
        sites = all_sites()
        annual = of_year(annual_report(YEAR, sites))
        summed = months_summed(YEAR, sites, SUMMED)
    assert only(annual, SUMMED) == summed
    # Worked by hand from the months of tests/reports/expected.py:
    assert annual[(ALL, "syringes_distributed", "")] == 125  # 15 + 100 + 10
    assert annual[(ALL, "syringes_returned", "")] == 99  # 8 + (15 + 34 + 37) + 5
    assert annual[(ALL, "naloxone_kits_distributed", "")] == 3  # K1 1 + K5 2
    assert annual[(ALL, "contacts", "")] == 14
    assert annual[(ALL, "people_contacted", "")] == 16  # 3 + 11 + 2
    assert annual[(ALL, "incidents", "")] == 5  # I1 I2 I3 in October; I5 I6 in November
    assert annual[(ALL, "referrals_made", "")] == 7  # S1; K1, K4 (two), K7, K8; N2


def test_a_client_seen_in_several_months_counts_once(app, dataset):
    """ANNA comes in September, October and November, BERT in October and November: the
    months' unique clients add up to 1 + 6 + 2 = 9; the year has six clients."""
    with app.test_request_context():
        sites = all_sites()
        annual = of_year(annual_report(YEAR, sites))
        months = monthly_report(year_months(YEAR), sites)
    assert sum(months.get(month, "unique_clients") for month in year_months(YEAR)) == 9
    assert annual[(ALL, "unique_clients", "")] == 6  # ANNA BERT CLEO DIRK EVA NOOR
    assert annual[(DCR, "unique_clients", "")] == 1  # ANNA, in three months
    assert annual[(OUT, "unique_clients", "")] == 2  # BERT (twice), CLEO
    assert annual[(ALL, "unique_clients_by_flag", "injects")] == 4  # ANNA BERT DIRK EVA
    assert annual[(ALL, "new_clients", "")] == 6  # all six first came in 2025
    assert annual[(ALL, "unique_clients_by_gender", "f")] == 2  # ANNA, EVA
    assert annual[(ALL, "sites_active", "")] == 3


def test_people_over_the_year_are_what_counting_the_records_gives(app, dataset):
    with app.test_request_context():
        sites = all_sites()
        annual = of_year(annual_report(YEAR, sites))
        assert only(annual, PEOPLE) == people_counted_from_the_records(YEAR, sites)


def test_the_return_rate_is_that_of_the_years_sums(app, dataset):
    with app.test_request_context():
        annual = of_year(annual_report(YEAR, all_sites()))
    assert annual[(ALL, "return_rate", "")] == round(99 / 125, 3)
    assert annual[(NSP, "return_rate", "")] == round(37 / 60, 3)  # 25 + 12 back of 5 + 55


def test_syringes_by_outlet_add_up_and_outlets_are_sites_that_handed_out_syringes(app, dataset):
    with app.test_request_context():
        annual = of_year(annual_report(YEAR, all_sites()))
    assert only(annual, OUTLETS) == {
        (DCR, "syringes_distributed_by_outlet", ""): 40,  # 10 + 20 + 10
        (DCR, "syringes_distributed_by_outlet", "specialised"): 40,
        (OUT, "syringes_distributed_by_outlet", ""): 25,
        (OUT, "syringes_distributed_by_outlet", "specialised"): 25,
        (NSP, "syringes_distributed_by_outlet", ""): 60,  # 5 + 55
        (NSP, "syringes_distributed_by_outlet", "pharmacy"): 60,
        (ALL, "syringes_distributed_by_outlet", ""): 125,
        (ALL, "syringes_distributed_by_outlet", "specialised"): 65,
        (ALL, "syringes_distributed_by_outlet", "pharmacy"): 60,
        (DCR, "outlets_active", ""): 1,
        (DCR, "outlets_active", "specialised"): 1,
        (OUT, "outlets_active", ""): 1,
        (OUT, "outlets_active", "specialised"): 1,
        (NSP, "outlets_active", ""): 1,
        (NSP, "outlets_active", "pharmacy"): 1,
        (ALL, "outlets_active", ""): 3,
        (ALL, "outlets_active", "specialised"): 2,
        (ALL, "outlets_active", "pharmacy"): 1,
    }
    for site in (*SITES, ALL):
        by_type = [annual.get((site, OUTLETS[0], kind), 0) for kind in OUTLET_TYPES]
        assert sum(by_type) == annual[(site, "syringes_distributed", "")], site


def test_a_year_without_records_is_empty(app, dataset):
    with app.test_request_context():
        assert of_year(annual_report(2024, all_sites())) == {}
        assert annual_report(YEAR, []).values == {}


def test_every_kind_of_site_is_one_type_of_outlet():
    assert set(OUTLET_TYPE_OF_SITE_KIND) == set(SITE_KINDS)
    assert set(OUTLET_TYPE_OF_SITE_KIND.values()) == set(OUTLET_TYPES)


# -- The year's edges in local time ----------------------------------------------------------


@pytest.fixture
def around_new_year(app, make_user, build):
    """Contacts at AMS-DCR1 around the year's edges and the change to winter time of 2026
    (25 October: 03:00 CEST becomes 02:00 CET). Times UTC."""
    make_user("worker", SITES, username="night-worker")
    with build() as b:
        worker = b.user("night-worker")
        b.client("OLD", "f", 1990)
        b.client("NEW", "m", 2001)
        b.contact("2025-12-31T22:30", DCR, "dcr_visit", by=worker, client="OLD")  # 23:30 CET
        # 00:30 CET on 1 January 2026: 2026, and NEW's first contact ever.
        b.contact("2025-12-31T23:30", DCR, "dcr_visit", by=worker, client="NEW")
        b.contact("2026-10-25T00:30", DCR, "dcr_visit", by=worker, client="NEW")  # 02:30 CEST
        b.contact("2026-10-25T01:30", DCR, "dcr_visit", by=worker, client="OLD")  # 02:30 CET
        b.contact("2026-12-31T22:30", DCR, "dcr_visit", by=worker)  # 23:30 CET: 2026
        b.contact("2026-12-31T23:30", DCR, "dcr_visit", by=worker)  # 00:30 CET: 2027


def test_contacts_fall_into_the_year_of_their_local_time(app, around_new_year):
    with app.test_request_context():
        sites = all_sites()
        years = {year: annual_report(year, sites) for year in (2025, 2026, 2027)}
    assert years[2025].get("2025", "contacts") == 1
    assert years[2026].get("2026", "contacts") == 4  # both half past twos of 25 October
    assert years[2027].get("2027", "contacts") == 1
    assert years[2025].get("2025", "new_clients") == 1  # OLD
    assert years[2026].get("2026", "new_clients") == 1  # NEW, at 00:30 on 1 January
    assert years[2026].get("2026", "unique_clients") == 2  # NEW twice, OLD once
    # A site with contacts but no syringes is active, but no outlet.
    assert years[2026].get("2026", "sites_active") == 1
    assert years[2026].get("2026", "outlets_active") == 0


# -- People whose details changed, sites whose kind changed ---------------------------------


def test_a_client_whose_gender_changed_counts_once_under_the_latest(app, make_user, build):
    make_user("worker", SITES, username="spring-worker")
    with build() as b:
        worker = b.user("spring-worker")
        b.client("ZOE", "f", 1990)
        b.contact("2025-03-10T10:00", DCR, "dcr_visit", by=worker, client="ZOE")
        b.clients["ZOE"].gender = "x"  # as a later contact gives it
        b.contact("2025-06-10T10:00", DCR, "dcr_visit", by=worker, client="ZOE")
    with app.test_request_context():
        annual = of_year(annual_report(YEAR, all_sites()))
    # Each contact keeps the gender given at it; the person counts once, as given last.
    assert only(annual, {"contacts_by_gender"}) == {
        (DCR, "contacts_by_gender", "f"): 1,
        (DCR, "contacts_by_gender", "x"): 1,
        (ALL, "contacts_by_gender", "f"): 1,
        (ALL, "contacts_by_gender", "x"): 1,
    }
    assert only(annual, {"unique_clients_by_gender"}) == {
        (DCR, "unique_clients_by_gender", "x"): 1,
        (ALL, "unique_clients_by_gender", "x"): 1,
    }


def test_a_site_whose_kind_changed_counts_under_its_present_kind(app, make_user, build):
    """RTM-NSP1 was a pharmacy in February and a vending machine from July. No history of
    kinds is kept: the kind at the time of the report counts for the whole year, so the outlet
    counts once and the types still add up to the syringes distributed."""
    make_user("worker", SITES, username="nsp-worker")
    with build() as b:
        worker = b.user("nsp-worker")
        b.contact("2025-02-10T10:00", NSP, "pharmacy", by=worker, items={"syringe_1ml": 30})
        b.contact("2025-07-10T10:00", NSP, "nsp_exchange", by=worker, items={"syringe_2ml": 20})
        b.contact("2025-07-11T10:00", DCR, "dcr_visit", by=worker, items={"syringe_1ml": 5})
    with app.test_request_context():
        site = db.session.execute(select(Site).where(Site.code == NSP)).scalar_one()
        site.kind = "vending_machine"
        db.session.commit()
        annual = of_year(annual_report(YEAR, all_sites()))
        february = monthly_report(["2025-02"], all_sites())
    assert only(annual, OUTLETS) == {
        (NSP, "syringes_distributed_by_outlet", ""): 50,
        (NSP, "syringes_distributed_by_outlet", "vending_machine"): 50,
        (DCR, "syringes_distributed_by_outlet", ""): 5,
        (DCR, "syringes_distributed_by_outlet", "specialised"): 5,
        (ALL, "syringes_distributed_by_outlet", ""): 55,
        (ALL, "syringes_distributed_by_outlet", "vending_machine"): 50,
        (ALL, "syringes_distributed_by_outlet", "specialised"): 5,
        (NSP, "outlets_active", ""): 1,
        (NSP, "outlets_active", "vending_machine"): 1,
        (DCR, "outlets_active", ""): 1,
        (DCR, "outlets_active", "specialised"): 1,
        (ALL, "outlets_active", ""): 2,
        (ALL, "outlets_active", "vending_machine"): 1,
        (ALL, "outlets_active", "specialised"): 1,
    }
    assert annual[(ALL, "syringes_distributed", "")] == 55
    # A month read now says the same: the kind is the site's, not the month's.
    assert february.get("2025-02", "outlets_active", "vending_machine") == 1
    assert february.get("2025-02", "outlets_active", "pharmacy") == 0


# -- Stock: flows summed over the year, December's closing stock ------------------------------


@pytest.fixture
def storeroom(app, login_as, make_contact):
    """Two months of stock at two sites through the API (the last 60 days): deliveries, a
    transfer, an adjustment, a disposal, contacts, and a pharmacy's bulk hand-out at
    AMS-OUT1 (its only syringes)."""
    keeper = login_as("supervisor", sites=(DCR, OUT))
    worker = login_as("worker", sites=(DCR, OUT))

    def at(days_ago):
        return local_now(days_ago * 24 * 60).isoformat()

    send(
        keeper,
        movement("received", 1000, occurred_at=at(58), lot="L1", expires_on="2027-03-31"),
        movement("received", 40, item="naloxone_kit", occurred_at=at(58)),
        movement("transfer", 300, to_site=OUT, occurred_at=at(50)),
        movement("adjustment", -12, reason="damaged", occurred_at=at(40)),
        movement("disposal", 8, occurred_at=at(35)),
    )
    contacts = [
        make_contact(
            occurred_at=at(days),
            client_code=None,
            items=[
                {"code": "syringe_1ml", "quantity": 10},
                {"code": "naloxone_kit", "quantity": 1},
            ],
        )
        for days in (45, 20, 1)
    ]
    send(worker, contacts=contacts)
    send(worker, movement("handed_out", 150, site=OUT, occurred_at=at(30)))
    with app.app_context():
        first = month_of(local_now(58 * 24 * 60))
        return sorted({int(month[:4]) for month in months_between(first, month_of(now()))})


def test_stock_flows_are_the_sums_of_the_months_and_the_closing_stock_decembers(app, storeroom):
    with app.test_request_context():
        sites = all_sites()
        for year in storeroom:
            annual = of_year(annual_report(year, sites))
            assert only(annual, SUMMED) == months_summed(year, sites, SUMMED), year
            months = monthly_report(year_months(year), sites)
            december = {
                key[1:]: value
                for key, value in months.values.items()
                if key[0] == f"{year}-12" and key[2] == "stock_closing" and value
            }
            assert only(annual, {"stock_closing"}) == december, year
    with app.test_request_context():
        everything = [of_year(annual_report(year, sites)) for year in storeroom]
    total = {}
    for annual in everything:
        for key, value in annual.items():
            if key[1] in SUMMED:
                total[key] = total.get(key, 0) + value
    assert total[(OUT, "syringes_distributed", "")] == 150  # the bulk hand-out
    assert total[(OUT, "syringes_distributed_by_outlet", "specialised")] == 150
    assert total[(DCR, "syringes_distributed", "")] == 30
    assert total[(ALL, "stock_received", "syringe_1ml")] == 1000
    assert total[(ALL, "stock_disposed", "syringe_1ml")] == 8
    # The last year's closing stock is what the sites hold now.
    last = everything[-1]
    assert last[(DCR, "stock_closing", "syringe_1ml")] == 1000 - 300 - 12 - 8 - 30
    assert last[(OUT, "stock_closing", "syringe_1ml")] == 300 - 150
    assert all(value > 0 for key, value in last.items() if key[1] == "outlets_active")
