"""The flask commands of the README: create-user and create-site (seed-catalog is tested in
tests/catalog/test_defaults.py, demo-data in tests/demo/)."""

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.catalog.models import Site
from outreach.extensions import db


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


def test_create_site_makes_a_site_workers_can_be_given(app):
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=[
            "create-site",
            "utr-nsp2",
            "--name",
            "Utrecht NSP",
            "--name-nl",
            "Spuitomruil Utrecht",
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
        assert (site.name_en, site.name_nl, site.kind, site.city, site.active) == (
            "Utrecht NSP",
            "Spuitomruil Utrecht",
            "pharmacy",
            "Utrecht",
            True,
        )
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "site_changed")
        ).scalar_one()
        assert event.target == "site:UTR-NSP2"


def test_create_site_without_a_dutch_name_gives_it_the_english_one(app):
    result = app.test_cli_runner().invoke(
        args=["create-site", "NEW-1", "--name", "Night bus", "--kind", "mobile_van"]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        site = db.session.execute(select(Site).where(Site.code == "NEW-1")).scalar_one()
        assert (site.name_en, site.name_nl) == ("Night bus", "Night bus")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["AMS-DCR1", "--name", "Again", "--kind", "dcr"], "code: This site code is taken."),
        (["A", "--name", "Short", "--kind", "dcr"], "code: A site code has 2 to 40"),
        (["AMS DCR", "--name", "Space", "--kind", "dcr"], "code: A site code has 2 to 40"),
        (["NEW-1", "--name", " ", "--kind", "dcr"], "name_en: A site name has 1 to 120"),
        (
            ["NEW-1", "--name", "X", "--name-nl", "", "--kind", "dcr"],
            "name_nl: A site name has 1 to 120",
        ),
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
