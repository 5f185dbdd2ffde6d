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


def test_demo_data_stocks_the_demo_sites(app, monkeypatch):
    """`make run` shows stock at /supplies: deliveries of every item the demo hands out, the
    contacts' items drawn from it, a lot about to expire, running-low levels; the books are
    what the ledger says."""
    from outreach.supplies.models import StockMovement
    from outreach.supplies.service import expiring_lots, stock_of_sites
    from tests.supplies.helpers import balances_as_kept, balances_recounted

    monkeypatch.setattr(demo, "seed_activity", partial(demo.seed_activity, days=30))

    result = app.test_cli_runner().invoke(args=["demo-data"])

    assert result.exit_code == 0, result.output
    with app.test_request_context():
        codes = [code for code, *_rest in demo.DEMO_SITES]
        sites = list(db.session.execute(select(Site).where(Site.code.in_(codes))).scalars())
        assert len(sites) == len(codes)
        for site_stock in stock_of_sites(sites):
            held = {item.item.code: item.on_hand for item in site_stock.items if item.on_hand}
            assert {"syringe_1ml", "needle", "foil"} <= set(held), site_stock.site.code
            assert any(item.running_low_at for item in site_stock.items), site_stock.site.code
        assert "NAL-DONATED" in {lot.lot for lot in expiring_lots(sites)}
        kinds = set(db.session.execute(select(StockMovement.kind)).scalars())
        assert kinds >= {"received", "count", "transfer", "handed_out"}
        assert balances_as_kept() == balances_recounted()


def test_demo_sites_and_their_packs_have_dutch_names(app):
    assert all(name_en != name_nl for _code, name_en, name_nl, *_rest in demo.DEMO_SITES)
    with app.app_context():
        demo.seed_sites()
        site = db.session.execute(select(Site).where(Site.code == "RTM-LT1")).scalar_one()

        assert site.name("nl") == "Laagdrempelige inloop Rotterdam"
        assert site.name("en") == "Rotterdam drop-in"
        assert [pack["name"] for pack in site.usual_packs_in("nl")] == [
            "Injectiepakket",
            "Rookpakket",
        ]
        assert [pack["name"] for pack in site.usual_packs_in("en")] == [
            "Injecting pack",
            "Smoking pack",
        ]
