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
