"""The flask commands of the README: create-user, seed-catalog, demo-data."""

from functools import partial

import pytest
from sqlalchemy import func, select

from outreach import demo
from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, Site
from outreach.extensions import db
from outreach.records.models import Contact


def count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_user_with_role_and_sites(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "nina",
            "--role",
            "supervisor",
            "--site",
            "AMS-DCR1",
            "--site",
            "AMS-OUT1",
            "--password",
            "a long pass phrase",
        ]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "nina")).scalar_one()
        assert user.role == "supervisor"
        assert [site.code for site in user.sites] == ["AMS-DCR1", "AMS-OUT1"]
        assert "a long pass phrase" not in user.password_hash


def test_create_user_refuses_a_weak_password_and_an_unknown_site(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "nina", "--site", "NOPE", "--password", "short"]
    )

    assert result.exit_code == 1
    assert "password: A password needs at least 10 characters." in result.output
    assert "sites: Unknown site: NOPE." in result.output
    assert count(app, User) == 0


def test_seed_catalog_is_idempotent(app):
    before = count(app, EquipmentItem)
    result = app.test_cli_runner().invoke(args=["seed-catalog"])

    assert result.exit_code == 0
    assert count(app, EquipmentItem) == before == len(demo.DEFAULT_EQUIPMENT)


def test_demo_data_makes_the_logins_once_and_shows_a_generated_password_once(app, monkeypatch):
    monkeypatch.setattr(demo, "seed_activity", partial(demo.seed_activity, days=3))
    app.config["OUTREACH_DEMO_PASSWORD"] = None
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo-data"])
    second = runner.invoke(args=["demo-data"])

    assert first.exit_code == 0, first.output
    assert "password (shown once):" in first.output
    assert "password" not in second.output
    with app.app_context():
        names = set(db.session.execute(select(User.username)).scalars())
        assert {"admin", "supervisor", "worker"} <= names
        assert db.session.execute(select(Site).where(Site.code == "AMS-DCR1")).scalar_one()
    contacts = count(app, Contact)
    assert contacts > 0
    assert count(app, Contact) == contacts  # the second run added none


def test_demo_password_comes_from_the_environment(app, monkeypatch):
    monkeypatch.setattr(demo, "seed_activity", partial(demo.seed_activity, days=1))
    app.config["OUTREACH_DEMO_PASSWORD"] = "demo password 2026"

    result = app.test_cli_runner().invoke(args=["demo-data"])

    assert result.exit_code == 0, result.output
    assert "demo password 2026" not in result.output
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/login", json={"username": "worker", "password": "demo password 2026"}
    )
    assert response.status_code == 200


def rollup_rows(model) -> set:
    columns = list(model.__table__.columns)
    return set(db.session.execute(select(*columns).select_from(model)).all())


def test_demo_data_bulk_volume_keeps_the_reports_exact(app, monkeypatch):
    """`--contacts N` bulk-loads a volume, counting it into the roll-ups as it goes."""
    from outreach.clients.models import Client
    from outreach.reports import rollups
    from outreach.reports.service import direct_report, monthly_report
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


def test_create_site_makes_a_site_workers_can_be_given(app):
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=[
            "create-site",
            "utr-nsp2",
            "--name",
            "Utrecht NSP",
            "--kind",
            "pharmacy",
            "--city",
            "Utrecht",
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Created site UTR-NSP2." in result.output
    made = runner.invoke(
        args=["create-user", "els", "--site", "UTR-NSP2", "--password", "a long enough secret"]
    )
    assert made.exit_code == 0, made.output
    with app.app_context():
        site = db.session.execute(select(Site).where(Site.code == "UTR-NSP2")).scalar_one()
        assert (site.name, site.kind, site.city, site.active) == (
            "Utrecht NSP",
            "pharmacy",
            "Utrecht",
            True,
        )
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "site_changed")
        ).scalar_one()
        assert event.target == "site:UTR-NSP2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["AMS-DCR1", "--name", "Again", "--kind", "dcr"], "code: This site code is taken."),
        (["A", "--name", "Short", "--kind", "dcr"], "code: A site code has 2 to 40"),
        (["AMS DCR", "--name", "Space", "--kind", "dcr"], "code: A site code has 2 to 40"),
        (["NEW-1", "--name", " ", "--kind", "dcr"], "name: A site name has 1 to 120"),
    ],
)
def test_create_site_refuses_bad_input_with_a_message(app, args, message):
    result = app.test_cli_runner().invoke(args=["create-site", *args])

    assert result.exit_code != 0
    assert message in result.output
    assert count(app, Site) == 3


def test_create_site_refuses_an_unknown_kind(app):
    result = app.test_cli_runner().invoke(
        args=["create-site", "NEW-1", "--name", "X", "--kind", "bar"]
    )

    assert result.exit_code != 0
    assert "Invalid value for '--kind'" in result.output
