"""Any history of movements, contacts and voids (Hypothesis) leaves the books right:

- every balance equals the sum of its ledger lines (the rebuild's recount), by lot, and none is
  below zero;
- the monthly flows kept (`stock_months`) equal the flows counted again from the ledger;
- each site's stock of each item is what a plain model says: deliveries add, transfers move,
  counts set, adjustments and disposals take away (refused beyond the books), hand-outs take
  away what is there (never refused), a void gives back what its contact took;
- the report read from the roll-ups equals the recount, and its closing stock of the last month
  is what the sites hold now.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from outreach.auth.service import find_user
from outreach.catalog.codebook import load_codebook
from outreach.catalog.models import Site
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.ingest.contacts import record_contacts
from outreach.ingest.savepoints import record_one
from outreach.ingest.voids import void_record
from outreach.records.models import Contact
from outreach.records.schemas import ContactIn
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.supplies.models import StockBalance
from outreach.supplies.months import monthly_flows
from outreach.supplies.movements import load_movement, record_movement
from outreach.supplies.schemas import StockMovementIn
from outreach.timekeeping import month_of, months_between
from outreach.transactions import transaction
from tests.supplies.helpers import balances_as_kept, balances_recounted, months_as_kept

SITES = ("AMS-DCR1", "AMS-OUT1")
ITEMS = ("syringe_1ml", "naloxone_kit")
LOTS = (None, "A", "B")
EXPIRY = {"A": "2027-01-31", "B": "2027-06-30"}
KEPT_TABLES = {"equipment_items", "referral_types", "settings", "sites", "users", "user_sites"}

quantities = st.integers(min_value=1, max_value=40)
steps = st.one_of(
    st.tuples(
        st.just("received"),
        st.sampled_from(SITES),
        st.sampled_from(ITEMS),
        quantities,
        st.sampled_from(LOTS),
    ),
    st.tuples(st.just("transfer"), st.sampled_from(SITES), st.sampled_from(ITEMS), quantities),
    st.tuples(st.just("count"), st.sampled_from(SITES), st.sampled_from(ITEMS), st.integers(0, 60)),
    st.tuples(
        st.just("adjustment"),
        st.sampled_from(SITES),
        st.sampled_from(ITEMS),
        st.integers(-30, 30).filter(bool),
    ),
    st.tuples(st.just("disposal"), st.sampled_from(SITES), st.sampled_from(ITEMS), quantities),
    st.tuples(st.just("handed_out"), st.sampled_from(SITES), st.sampled_from(ITEMS), quantities),
    st.tuples(
        st.just("contact"),
        st.sampled_from(SITES),
        st.dictionaries(st.sampled_from(ITEMS), quantities, min_size=1),
    ),
    st.tuples(st.just("void"), st.integers(0, 20)),
)


def reset(app) -> None:
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


class Model:
    """What each site should hold of each item, lots aside."""

    def __init__(self):
        self.held = defaultdict(int)  # (site, item) -> units
        self.drawn = {}  # contact id -> {(site, item): units it took}

    def take(self, key, quantity) -> int:
        taken = min(self.held[key], quantity)
        self.held[key] -= taken
        return taken


def apply(step, user, moment, model: Model, contacts: list) -> None:
    codebook = load_codebook()
    kind = step[0]
    if kind == "void":
        if not contacts:
            return
        contact_id = contacts[step[1] % len(contacts)]
        contact = db.session.get(Contact, contact_id)
        if contact.is_voided:
            return
        with transaction():
            void_record(user, contact, "property test")
        for key, units in model.drawn.pop(contact_id).items():
            model.held[key] += units
        return
    if kind == "contact":
        _kind, site, items = step
        raw = {
            "id": str(uuid.uuid4()),
            "occurred_at": moment.isoformat(),
            "site": site,
            "kind": "drop_in",
            "items": [{"code": code, "quantity": units} for code, units in items.items()],
        }
        with transaction():
            record_one(record_contacts, user, ContactIn().load(raw), codebook)
        contacts.append(uuid.UUID(raw["id"]))
        model.drawn[contacts[-1]] = {
            (site, code): model.take((site, code), units) for code, units in items.items()
        }
        return
    _kind, site, item, quantity, *rest = step
    raw = {
        "id": str(uuid.uuid4()),
        "occurred_at": moment.isoformat(),
        "site": site,
        "item": item,
        "kind": kind,
        "quantity": quantity,
    }
    other = SITES[1 - SITES.index(site)]
    if kind == "received" and rest[0]:
        raw.update(lot=rest[0], expires_on=EXPIRY[rest[0]])
    if kind == "transfer":
        raw["to_site"] = other
    if kind == "adjustment":
        raw["reason"] = "other"
    key = (site, item)
    try:
        with transaction():
            data = load_movement(StockMovementIn(), raw, user, codebook)
            record_movement(user, data, codebook)
    except InvalidInput as refusal:
        # Only taking more than the books hold is ever refused here.
        assert set(refusal.errors) == {"quantity"}, refusal.errors
        assert kind in ("transfer", "disposal", "adjustment")
        assert model.held[key] < abs(quantity)
        return
    if kind == "received" or (kind == "adjustment" and quantity > 0):
        model.held[key] += quantity
    elif kind == "count":
        model.held[key] = quantity
    elif kind == "transfer":
        assert model.held[key] >= quantity
        model.held[key] -= quantity
        model.held[(other, item)] += quantity
    elif kind == "handed_out":
        model.take(key, quantity)
    else:  # disposal, or an adjustment down: never beyond the books
        assert model.held[key] >= abs(quantity)
        model.held[key] -= abs(quantity)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(st.tuples(steps, st.integers(0, 50 * 24)), max_size=25))
def test_any_history_leaves_the_books_right(app, make_user, history):
    reset(app)
    username = make_user("admin", sites=())
    model = Model()
    contacts = []
    now = datetime.now(UTC)
    with app.test_request_context():
        user = find_user(username)
        for step, hours_ago in history:
            apply(step, user, now - timedelta(hours=hours_ago), model, contacts)
        db.session.expire_all()
        assert balances_as_kept() == balances_recounted()
        negative = select(StockBalance).where(StockBalance.quantity < 0)
        assert db.session.execute(negative).first() is None
        site_ids = {site.code: site.id for site in db.session.execute(select(Site)).scalars()}
        codebook = load_codebook()
        held = defaultdict(int)
        for (site_id, item_id, _lot), (units, _expiry) in balances_as_kept().items():
            held[(site_id, item_id)] += units
        expected = {
            (site_ids[site], codebook.equipment[item].id): units
            for (site, item), units in model.held.items()
            if units
        }
        assert dict(held) == expected

        months = months_between(month_of(now - timedelta(hours=50 * 24)), month_of(now))
        kept = months_as_kept()
        recounted = {
            (m, s, i, f): q
            for m, s, i, f, q in monthly_flows(months, list(site_ids.values()), recount=True)
        }
        assert kept == recounted

        sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        report = monthly_report(months, sites)
        assert report.values == direct_report(months, sites).values
        for (site, item), units in model.held.items():
            assert report.get(months[-1], "stock_closing", item, site) == units
