"""`flask demo-data --contacts N`: a large volume for benchmarks (outreach/demo/volume.py)."""

from functools import partial

from sqlalchemy import func, select

from outreach import demo
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact


def rollup_rows(model) -> set:
    columns = list(model.__table__.columns)
    return set(db.session.execute(select(*columns).select_from(model)).all())


def test_demo_data_bulk_volume_keeps_the_reports_exact(app, monkeypatch):
    """`--contacts N` bulk-loads a volume, counting it into the roll-ups as it goes."""
    from outreach.clients.models import Client
    from outreach.reports import rollups
    from outreach.reports.recount import direct_report
    from outreach.reports.service import monthly_report
    from outreach.timekeeping import month_of, months_between, now

    monkeypatch.setattr(demo, "seed_activity", partial(demo.seed_activity, days=1))
    result = app.test_cli_runner().invoke(
        args=["demo-data", "--contacts", "300", "--months", "2", "--sites", "5"]
    )

    assert result.exit_code == 0, result.output
    assert "Volume: 300 contacts" in result.output
    with app.test_request_context():
        sites = list(db.session.execute(select(Site)).scalars())
        assert len(sites) == 5
        months = months_between(
            min(month_of(c) for c in db.session.execute(select(Contact.occurred_at)).scalars()),
            month_of(now()),
        )
        kept = {k: v for k, v in monthly_report(months, sites).values.items() if v}
        assert kept == {k: v for k, v in direct_report(months, sites).values.items() if v}
        assert sum(v for k, v in kept.items() if k[1:3] == ("ALL", "contacts") and not k[3]) >= 300

        # Counted on the way in, the roll-ups are what a rebuild from the records makes.
        kept = {
            model: rollup_rows(model) for model in (rollups.MonthlyCount, rollups.MonthlyClient)
        }
        first_contacts = rollup_rows(Client)
        rollups.rebuild()
        for model, rows in kept.items():
            assert rows == rollup_rows(model), model.__tablename__
        assert first_contacts == rollup_rows(Client)


def test_demo_data_volume_keeps_honest_stock_books(app, monkeypatch):
    """The volume's stock, made by the ledger's own code: deliveries with lots and expiry dates,
    every contact's items drawn from its site's stock (a voided one's put back), counts, bulk
    hand-outs at the outlets; the balances and the monthly flows are what the ledger says."""
    from outreach.records.models import ContactItem
    from outreach.supplies import months as stock_months
    from outreach.supplies.models import (
        StockEntry,
        StockLevel,
        StockMovement,
        StockShortfall,
    )
    from outreach.timekeeping import month_of, months_between
    from tests.supplies.helpers import balances_as_kept, balances_recounted, months_as_kept

    monkeypatch.setattr(demo, "seed_activity", partial(demo.seed_activity, days=20))
    result = app.test_cli_runner().invoke(
        args=["demo-data", "--contacts", "3000", "--months", "3", "--sites", "8"]
    )

    assert result.exit_code == 0, result.output
    with app.test_request_context():
        sites = {site.id: site for site in db.session.execute(select(Site)).scalars()}
        # The balances and the monthly flows are the ledger's sums, and what a rebuild writes.
        assert balances_as_kept() == balances_recounted()
        first, last = db.session.execute(
            select(func.min(StockEntry.occurred_at), func.max(StockEntry.occurred_at))
        ).one()
        months = months_between(month_of(first), month_of(last))
        assert len(months) >= 3
        kept = stock_months.monthly_flows(months, list(sites))
        assert sorted(kept) == sorted(stock_months.monthly_flows(months, list(sites), True, True))
        kept_rows, kept_balances = months_as_kept(), balances_as_kept()
        stock_months.rebuild()
        assert months_as_kept() == kept_rows
        assert balances_as_kept() == kept_balances

        # Every contact's items were drawn from its site's stock; a voided one's put back.
        handed = dict(
            db.session.execute(
                select(Contact.id, func.sum(ContactItem.quantity))
                .join(ContactItem, ContactItem.contact_id == Contact.id)
                .where(Contact.voided_at.is_(None))
                .group_by(Contact.id)
            ).all()
        )
        drawn = dict(
            db.session.execute(
                select(StockEntry.contact_id, -func.sum(StockEntry.quantity))
                .where(StockEntry.kind == "contact")
                .group_by(StockEntry.contact_id)
            ).all()
        )
        assert handed and {key: value for key, value in drawn.items() if value} == handed
        voided = db.session.execute(
            select(func.count(Contact.id)).where(Contact.voided_at.is_not(None))
        ).scalar_one()
        assert voided and len(drawn) == len(handed) + voided

        # Deliveries at every site, each with a lot and an expiry date, by an administrator or
        # a supervisor; counts; bulk hand-outs only at pharmacies and vending machines.
        movements = list(db.session.execute(select(StockMovement)).scalars())
        kinds = {movement.kind for movement in movements}
        assert {"received", "count", "handed_out"} <= kinds
        received = [movement for movement in movements if movement.kind == "received"]
        assert {movement.site_id for movement in received} == set(sites)
        assert all(movement.lot and movement.expires_on for movement in received)
        assert {movement.recorded_by.role for movement in received} <= {"admin", "supervisor"}
        bulk_sites = {m.site.kind for m in movements if m.kind == "handed_out"}
        assert bulk_sites == {"pharmacy", "vending_machine"}

        # Stock mostly sufficed: shortfalls are few, and flagged because the books are kept.
        contacts = db.session.execute(select(func.count(Contact.id))).scalar_one()
        shortfalls = db.session.execute(select(func.count(StockShortfall.id))).scalar_one()
        assert shortfalls < contacts * 0.05
        levels = list(db.session.execute(select(StockLevel)).scalars())
        assert levels and all(level.books_kept for level in levels)
        assert any(level.running_low_at for level in levels)
