"""A storeroom with something in every section of /supplies (lots expiring soon and expired,
items running low, a shortfall, a transfer and a count), for the accessibility walk and the
README's screenshot."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from outreach.auth.models import User
from outreach.catalog.codebook import load_codebook
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.supplies.movements import load_movement, record_movement
from outreach.supplies.schemas import StockMovementIn
from outreach.supplies.service import set_running_low_levels
from outreach.timekeeping import local_today
from tests.conftest import local_now

DCR, OUT = "AMS-DCR1", "AMS-OUT1"


def stock_a_storeroom(app, username: str) -> None:
    """Movements at the DCR and the street team, recorded by `username` (an admin, or a
    supervisor of both), and running-low levels at the DCR."""
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        codebook = load_codebook()
        today = local_today()

        def day(days: int) -> str:
            return (today + timedelta(days=days)).isoformat()

        def record(minutes_ago: int, **movement) -> None:
            raw = {
                "id": str(uuid.uuid4()),
                "occurred_at": local_now(minutes_ago).isoformat(),
                **movement,
            }
            data = load_movement(StockMovementIn(), raw, user, codebook)
            record_movement(user, data, codebook)

        deliveries = [
            ("syringe_1ml", 400, "SY-2611", day(400)),
            ("syringe_1ml", 100, "SY-2409", day(20)),
            ("needle", 300, None, None),
            ("swab", 1000, None, None),
            ("naloxone_kit", 12, "NX-118", day(45)),
            ("naloxone_kit", 3, "NX-097", day(-5)),
            ("foil", 200, None, None),
            ("condom", 150, None, None),
        ]
        for minutes, (item, quantity, lot, expires_on) in enumerate(deliveries, start=600):
            record(
                minutes,
                site=DCR,
                item=item,
                kind="received",
                quantity=quantity,
                lot=lot,
                expires_on=expires_on,
                source="purchase",
                reference="PO-1182",
            )
        record(300, site=OUT, item="condom", kind="received", quantity=300, source="donation")
        record(240, site=DCR, item="syringe_1ml", kind="transfer", quantity=50, to_site=OUT)
        record(180, site=DCR, item="swab", kind="count", quantity=960)
        record(120, site=DCR, item="water_ampoule", kind="handed_out", quantity=20)
        record(60, site=DCR, item="foil", kind="disposal", quantity=10, reason="damaged")
        site = db.session.execute(select(Site).where(Site.code == DCR)).scalar_one()
        levels = {"syringe_1ml": 500, "naloxone_kit": 20, "needle": 100}
        set_running_low_levels(
            user, site, {codebook.equipment[code].id: level for code, level in levels.items()}
        )
        db.session.commit()
