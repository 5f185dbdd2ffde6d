"""Retention: `flask purge` removes the records of old months and keeps their exact monthly
counts, so every report and export of those months gives the same numbers as before, also
after a rebuild of the roll-ups, and after records that arrive late for a purged month."""

import itertools
import uuid

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact, Incident, Referral, ReferralStatusChange
from outreach.reports import rollups
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_bounds, month_of, months_between, now
from tests.exports.test_api import csv_cells, xlsx_cells, xlsx_workbook
from tests.reports.expected import EXPECTED, non_zero
from tests.reports.hand_worked import DCR, NSP, OUT

MONTHS = ["2025-09", "2025-10", "2025-11"]
CUTOFF = "2025-11"  # September and October go; November stays
SITE_CHOICES = [
    choice for size in (1, 2, 3) for choice in itertools.combinations((DCR, OUT, NSP), size)
]


def reports(app) -> dict:
    """Every value of the three months for every choice of sites (distinct people counted over
    the sites chosen), as the dashboard and the API read them."""
    with app.test_request_context():
        sites = {site.code: site for site in db.session.execute(select(Site)).scalars()}
        return {
            choice: monthly_report(MONTHS, [sites[code] for code in choice]).values
            for choice in SITE_CHOICES
        }


def exports(supervisor) -> dict:
    """The cells of each export of the three months, suppressed and not."""
    cells = {}
    for kind in ("csv", "xlsx"):
        for suppress in ("true", "false"):
            response = supervisor.get(
                f"/api/v1/exports/monthly.{kind}",
                query_string={"from": MONTHS[0], "to": MONTHS[-1], "suppress": suppress},
            )
            if kind == "csv":
                cells[(kind, suppress)] = csv_cells(response)
            else:
                cells[(kind, suppress)] = xlsx_cells(xlsx_workbook(response), MONTHS)
    return cells


def purge(app, *args, answer=None):
    return app.test_cli_runner().invoke(args=["purge", *args], input=answer)


def counts(app, month_start: str, month_end: str) -> dict:
    """Rows of each kind of record with a time in [start of month_start, start of month_end)."""
    with app.app_context():
        start, end = month_bounds(month_start)[0], month_bounds(month_end)[0]
        contacts = select(Contact.id).where(Contact.occurred_at >= start, Contact.occurred_at < end)
        return {
            "contacts": db.session.execute(
                select(func.count()).select_from(contacts.subquery())
            ).scalar_one(),
            "referrals": db.session.execute(
                select(func.count(Referral.id)).where(Referral.contact_id.in_(contacts))
            ).scalar_one(),
            "incidents": db.session.execute(
                select(func.count(Incident.id)).where(
                    Incident.occurred_at >= start, Incident.occurred_at < end
                )
            ).scalar_one(),
        }


def test_purge_keeps_every_number_of_the_purged_months(app, dataset, supervisor):
    reports_before, exports_before = reports(app), exports(supervisor)
    november = counts(app, "2025-11", "2025-12")

    result = purge(app, "--before", CUTOFF, "--yes")

    assert result.exit_code == 0, result.output
    assert "Purged before 2025-11: 14 contacts, 7 referrals, 4 incidents." in result.output
    assert counts(app, "2025-01", CUTOFF) == {"contacts": 0, "referrals": 0, "incidents": 0}
    assert counts(app, "2025-11", "2025-12") == november  # the months kept are untouched
    with app.app_context():
        # Referral history goes with its referrals: only November's remain.
        changes = db.session.execute(select(func.count(ReferralStatusChange.id))).scalar_one()
        assert (
            changes
            == db.session.execute(
                select(func.count(ReferralStatusChange.id)).where(
                    ReferralStatusChange.referral_id.in_(select(Referral.id))
                )
            ).scalar_one()
        )
    assert reports(app) == reports_before
    assert exports(supervisor) == exports_before
    # And still the numbers worked out by hand.
    everything = reports(app)[(DCR, OUT, NSP)]
    for month, expected in EXPECTED.items():
        values = {key[1:]: value for key, value in everything.items() if key[0] == month}
        assert non_zero(values) == expected, month

    # A rebuild of the roll-ups cannot count the purged months again: it leaves them alone.
    with app.app_context():
        rollups.rebuild()
        db.session.commit()
    assert reports(app) == reports_before


def test_a_purge_is_audited(app, dataset):
    purge(app, "--before", CUTOFF, "--yes")

    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "purge")
        ).scalar_one()
        assert event.target == "before 2025-11"
        assert event.detail == "14 contacts, 4 incidents, 7 referrals"


def test_the_default_keeps_the_retention_months(app, dataset):
    with app.app_context():
        kept = len(months_between(CUTOFF, month_of(now()))) - 1
    app.config["OUTREACH_RETENTION_MONTHS"] = kept

    result = purge(app, "--yes")

    assert result.exit_code == 0, result.output
    assert "Purged before 2025-11" in result.output


def test_a_late_record_for_a_purged_month_counts_then_goes_at_the_next_purge(
    app, dataset, supervisor, make_contact
):
    purge(app, "--before", CUTOFF, "--yes")
    before = reports(app)[(DCR,)]
    app.config["OUTREACH_MAX_BACKDATE_DAYS"] = 2000

    late = make_contact(
        occurred_at="2025-10-20T12:00:00+02:00", client_code="LATE0001", referrals=[]
    )
    answer = supervisor.sync(contacts=[late]).get_json()
    assert answer["results"][0]["status"] == "created", answer

    after = reports(app)[(DCR,)]
    assert after[("2025-10", DCR, "contacts", "")] == before[("2025-10", DCR, "contacts", "")] + 1
    with app.app_context():
        rollups.rebuild()
        db.session.commit()
    assert reports(app)[(DCR,)] == after
    # The next purge removes its record too (the cut-off never moves back) and keeps its count.
    result = purge(app, "--before", "2025-06", "--yes")
    assert "Purged before 2025-11: 1 contacts" in result.output
    assert counts(app, "2025-01", CUTOFF)["contacts"] == 0
    assert reports(app)[(DCR,)] == after


def test_a_follow_up_of_a_purged_referral_is_refused_plainly(app, dataset, supervisor):
    with app.app_context():
        start = month_bounds(CUTOFF)[0]
        referral_id = db.session.execute(
            select(Referral.id).join(Contact).where(Contact.occurred_at < start).limit(1)
        ).scalar_one()
    purge(app, "--before", CUTOFF, "--yes")

    update = {
        "id": str(uuid.uuid4()),
        "referral_id": str(referral_id),
        "status": "attended",
        "occurred_at": now().isoformat(),
    }
    response = supervisor.sync(referral_updates=[update])

    assert response.status_code == 200
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected"
    assert result["errors"]


@pytest.mark.parametrize(
    ("before", "message"),
    [("2999-01", "has not begun"), ("2025-13", "YYYY-MM"), ("last year", "YYYY-MM")],
)
def test_a_purge_of_a_month_to_come_or_a_bad_month_is_refused(app, dataset, before, message):
    total = counts(app, "2000-01", "2999-01")

    result = purge(app, "--before", before, "--yes")

    assert result.exit_code != 0
    assert message in result.output
    assert counts(app, "2000-01", "2999-01") == total


def test_nothing_goes_without_confirmation(app, dataset):
    total = counts(app, "2000-01", "2999-01")

    result = purge(app, "--before", CUTOFF, answer="n\n")

    assert result.exit_code != 0
    assert "Aborted" in result.output
    assert counts(app, "2000-01", "2999-01") == total
