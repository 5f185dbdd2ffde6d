"""`flask seed-catalog`: the default equipment items and referral types."""

from sqlalchemy import func, select

from outreach.catalog.defaults import DEFAULT_EQUIPMENT
from outreach.catalog.models import EquipmentItem
from outreach.extensions import db


def count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_seed_catalog_is_idempotent(app):
    before = count(app, EquipmentItem)
    result = app.test_cli_runner().invoke(args=["seed-catalog"])

    assert result.exit_code == 0
    assert count(app, EquipmentItem) == before == len(DEFAULT_EQUIPMENT)


def test_the_default_items_have_units_in_english_and_dutch(app):
    with app.app_context():
        items = db.session.execute(select(EquipmentItem)).scalars()
        units = {item.code: (item.unit("en"), item.unit("nl")) for item in items}

    assert units["syringe_1ml"] == ("piece", "stuk")
    assert units["foil"] == ("sheet", "vel")
    assert units["naloxone_kit"] == ("kit", "set")
    assert all(unit_en and unit_nl for unit_en, unit_nl in units.values())
