"""`flask demo-data --contacts N`: a large volume for benchmarks (outreach/demo/volume.py)."""

from functools import partial

from sqlalchemy import select

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
