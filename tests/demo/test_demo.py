"""`flask demo-data`: the demo sites, logins and activity of `make run`."""

from functools import partial

from sqlalchemy import func, select

from outreach import demo
from outreach.auth.models import User
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact


def count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


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
