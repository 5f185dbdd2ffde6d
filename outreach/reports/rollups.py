"""Monthly roll-ups: the reports' numbers kept up to date as records arrive, are voided or
followed up, so a month's report reads a few hundred rows instead of every contact.

- `monthly_counts` (`models.MonthlyCount`): additive counts per month, site, indicator and
  breakdown.
- `monthly_clients` (`models.MonthlyClient`): one row per month, site and client seen, to count
  distinct people.
- `clients.first_contact_at` / `first_site_id`: when and where a client was first seen.

The services call `count_contact`, `count_incident` and `count_referral_status` with +1 or -1,
and `note_first_contact`; the changes gather in the session and are written just before the
transaction commits (not at each savepoint: the sync runs every record in one), in key order,
so concurrent requests lock the same rows in the same order. A rolled-back transaction drops
them, and a rolled-back savepoint the changes gathered inside it.
`rebuild()` recomputes everything from the records (`recount.py`); the package's docstring names
the tests that hold the roll-ups equal to the records.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, event, exists, func, or_, select, update
from sqlalchemy.orm import Session

from outreach.catalog.models import Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.models import Client
from outreach.database import Upsert, execute_many, insert_many
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from outreach.reports.indicators import age_group
from outreach.reports.models import MonthlyClient, MonthlyCount
from outreach.reports.recount import client_rows, direct_report
from outreach.settings import purged_before
from outreach.supplies import months as supplies_months
from outreach.timekeeping import month_bounds, month_of, months_between

PENDING_KEY = "rollup_pending"


def _client_row():
    return defaultdict(int)


@dataclass
class Changes:
    """Roll-up changes gathered in a transaction, or in one of its savepoints."""

    transaction: object
    counts: defaultdict = field(default_factory=lambda: defaultdict(int))
    clients: defaultdict = field(default_factory=lambda: defaultdict(_client_row))
    # (client id, contact id, occurred_at, site id), in the order they were noted.
    first_contacts: list = field(default_factory=list)

    def absorb(self, inner: "Changes") -> None:
        """Take over the changes of a savepoint inside this one that was released."""
        for key, value in inner.counts.items():
            self.counts[key] += value
        for key, changes in inner.clients.items():
            row = self.clients[key]
            for column, value in changes.items():
                if column == "details":
                    row[column] = value
                else:
                    row[column] += value
        self.first_contacts.extend(inner.first_contacts)


def _stack(session) -> list[Changes]:
    return session.info.setdefault(PENDING_KEY, [])


def _pending() -> Changes:
    """The changes of the innermost savepoint (or transaction) now open."""
    session = db.session()
    current = session.get_nested_transaction() or session.get_transaction()
    stack = _stack(session)
    if not stack or stack[-1].transaction is not current:
        stack.append(Changes(current))
    return stack[-1]


def count_contact(contact, item_codes: dict, type_codes: dict, sign: int = 1) -> None:
    """Add (+1) or take away (-1) a contact's share of the monthly counts.

    `item_codes` and `type_codes` map catalog ids to codes (the records hold ids).
    """
    count_contact_rows(
        {column: getattr(contact, column) for column in _COUNTED_COLUMNS},
        [{"item_id": row.item_id, "quantity": row.quantity} for row in contact.items],
        [{"type_id": row.type_id, "status": row.status} for row in contact.referrals],
        contact.client,
        item_codes,
        type_codes,
        sign,
    )


_COUNTED_COLUMNS = (
    "occurred_at",
    "site_id",
    "kind",
    "client_id",
    "people_count",
    "gender",
    "birth_year",
    "route",
    "naloxone_trained",
    "overdose_reversals",
    "returned_syringes",
    "returned_estimated",
    "clock_correction_seconds",
    *FLAGS,
)


def count_contact_rows(
    row: dict,
    items: list[dict],
    referrals: list[dict],
    client,
    item_codes: dict,
    type_codes: dict,
    sign: int = 1,
) -> None:
    """`count_contact` from a contact's rows as inserted (dicts by column), the way the bulk
    inserts count, with the client object (or None)."""
    pending = _pending()
    counts = pending.counts
    month = month_of(row["occurred_at"])
    site = row["site_id"]

    def add(indicator, breakdown, value=1):
        if value:
            counts[(month, site, indicator, breakdown)] += sign * value

    add("contacts", "")
    add("contacts", row["kind"])
    add("people_contacted", "", row["people_count"])
    add("anonymous_contacts", "", 1 if row["client_id"] is None else 0)
    flags = [flag for flag in FLAGS if row[flag]]
    for flag in flags:
        add("contacts_by_flag", flag)
    add("contacts_by_gender", row["gender"] or "unknown")
    add("contacts_by_age_group", age_group(int(month[:4]), row["birth_year"]))
    add("people_trained_naloxone", "", 1 if row["naloxone_trained"] else 0)
    add("records_time_corrected", "", 1 if row["clock_correction_seconds"] else 0)
    add("overdose_reversals_reported", "", row["overdose_reversals"])
    returned = row["returned_syringes"] or 0
    add("syringes_returned", "", returned)
    add("syringes_returned", "estimated" if row["returned_estimated"] else "counted", returned)
    for item in items:
        add("items_distributed", "", item["quantity"])
        add("items_distributed", item_codes[item["item_id"]], item["quantity"])
    for referral in referrals:
        type_code = type_codes[referral["type_id"]]
        add("referrals_made", "")
        add("referrals_made", type_code)
        if referral["status"] == "attended":
            add("referrals_attended", "")
            add("referrals_attended", type_code)
    if row["kind"] == "dcr_visit":
        add("dcr_visits", "")
        add("dcr_visits", row["route"] or "unknown")
    if row["client_id"] is not None:
        client_row = pending.clients[(month, site, row["client_id"])]
        client_row["contacts"] += sign
        for flag in flags:
            client_row[flag] += sign
        client_row["details"] = (client.gender, client.birth_year)


def count_incident(incident, sign: int = 1) -> None:
    counts = _pending().counts
    month = month_of(incident.occurred_at)
    for indicator, breakdown, value in (
        ("incidents", "", 1),
        ("incidents", incident.kind, 1),
        ("incidents_by_outcome", incident.outcome, 1),
        ("naloxone_doses_administered", "", incident.naloxone_doses),
        ("records_time_corrected", "", 1 if incident.clock_correction_seconds else 0),
    ):
        if value:
            counts[(month, incident.site_id, indicator, breakdown)] += sign * value


def count_referral_status(referral, contact, type_code: str, old: str, new: str) -> None:
    """A follow-up changed a referral's status: keep `referrals_attended` of its month right."""
    if (old == "attended") == (new == "attended") or contact.is_voided:
        return
    counts = _pending().counts
    sign = 1 if new == "attended" else -1
    month = month_of(contact.occurred_at)
    for breakdown in ("", type_code):
        counts[(month, contact.site_id, "referrals_attended", breakdown)] += sign


def note_first_contact(client_id: int, occurred_at, site_id: int, contact_id) -> None:
    """Remember where and when a client was first seen (written at commit, see
    `_write_first_contacts`)."""
    _pending().first_contacts.append((client_id, contact_id, occurred_at, site_id))


def _write_first_contacts(notes: list) -> None:
    """Apply the noted first contacts in client order; atomic, so concurrent requests keep the
    earliest. A contact voided since it was noted (in this transaction) does not count: the
    void recounted the client's first contact from the records."""
    execute_many(
        db.session,
        "first contacts",
        _first_contact_update,
        [
            {"client_id": client, "contact_id": contact, "at": at, "site_id": site}
            for client, contact, at, site in sorted(notes, key=lambda note: note[0])
        ],
    )


def _first_contact_update():
    return (
        update(Client.__table__)
        .where(
            Client.id == bindparam("client_id"),
            or_(Client.first_contact_at.is_(None), Client.first_contact_at > bindparam("at")),
            exists().where(Contact.id == bindparam("contact_id"), Contact.voided_at.is_(None)),
        )
        .values(first_contact_at=bindparam("at"), first_site_id=bindparam("site_id"))
    )


def recount_first_contact(client_id: int) -> None:
    """After a void: the client's first contact is the earliest one not voided (if any)."""
    db.session.flush()
    first = db.session.execute(
        select(Contact.occurred_at, Contact.site_id)
        .where(Contact.client_id == client_id, Contact.voided_at.is_(None))
        .order_by(Contact.occurred_at, Contact.site_id)
        .limit(1)
    ).first()
    db.session.execute(
        update(Client)
        .where(Client.id == client_id)
        .values(
            first_contact_at=first.occurred_at if first else None,
            first_site_id=first.site_id if first else None,
        )
    )


def copy_client_details(client) -> None:
    """A client's gender or birth year changed: so does the copy in every month's row, those
    still waiting to be written included."""
    db.session.execute(
        update(MonthlyClient)
        .where(MonthlyClient.client_id == client.id)
        .values(gender=client.gender, birth_year=client.birth_year)
    )
    for changes in _stack(db.session()):
        for (_month, _site, client_id), row in changes.clients.items():
            if client_id == client.id and "details" in row:
                row["details"] = (client.gender, client.birth_year)


def write_pending(session: Session) -> None:
    """Write the gathered changes, in key order (so concurrent writers never deadlock)."""
    stack = session.info.pop(PENDING_KEY, None)
    if not stack:
        return
    changes = Changes(None)
    for layer in stack:
        changes.absorb(layer)
    counts, clients = changes.counts, changes.clients
    if changes.first_contacts:
        _write_first_contacts(changes.first_contacts)
    if counts:
        rows = [
            {"month": m, "site_id": s, "indicator": i, "breakdown": b, "value": value}
            for (m, s, i, b), value in sorted(counts.items())
            if value
        ]
        insert_many(
            db.session,
            MonthlyCount.__table__,
            rows,
            Upsert(("month", "site_id", "indicator", "breakdown")),
        )
    if clients:
        rows = [
            {
                "month": m,
                "site_id": s,
                "client_id": c,
                **{column: changes.get(column, 0) for column in ("contacts", *FLAGS)},
                "gender": changes["details"][0],
                "birth_year": changes["details"][1],
            }
            for (m, s, c), changes in sorted(clients.items())
        ]
        insert_many(
            db.session,
            MonthlyClient.__table__,
            rows,
            Upsert(("month", "site_id", "client_id"), replaced=("gender", "birth_year")),
        )


# SQLAlchemy fires before_commit, after_commit and after_rollback for savepoints too; while a
# savepoint is the innermost transaction, session.get_nested_transaction() is that savepoint.


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    if PENDING_KEY in session.info and session.get_nested_transaction() is None:
        write_pending(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    """A savepoint was released: its changes now belong to the transaction around it."""
    released = session.get_nested_transaction()
    stack = session.info.get(PENDING_KEY)
    if released is None or not stack or stack[-1].transaction is not released:
        return
    inner = stack.pop()
    outer = _boundary(released.parent)
    if stack and stack[-1].transaction is outer:
        stack[-1].absorb(inner)
    else:
        inner.transaction = outer
        stack.append(inner)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    """Drop the changes of the savepoint rolled back, or all of them with the transaction."""
    rolled_back = session.get_nested_transaction()
    stack = session.info.get(PENDING_KEY)
    if rolled_back is None or not stack:
        session.info.pop(PENDING_KEY, None)
        return
    while stack and stack[-1].transaction is rolled_back:
        stack.pop()


def _boundary(transaction):
    """The savepoint or transaction a (sub)transaction belongs to: where changes gather."""
    while transaction.parent is not None and not transaction.nested:
        transaction = transaction.parent
    return transaction


def rebuild() -> None:
    """Recompute every roll-up from the records themselves (the stock's from its ledger)."""
    # Everything is counted again from the records, those of this transaction too: changes
    # gathered for them must not be added on top at commit.
    db.session.flush()
    db.session.info.pop(PENDING_KEY, None)
    supplies_months.rebuild()
    # Months whose records were purged keep their aggregates: they cannot be counted again.
    kept = purged_before()
    cutoff = month_bounds(kept)[0] if kept else None
    recounted = (MonthlyCount.month >= kept,) if kept else ()
    db.session.execute(delete(MonthlyCount).where(*recounted))
    recounted = (MonthlyClient.month >= kept,) if kept else ()
    db.session.execute(delete(MonthlyClient).where(*recounted))
    in_range = (Contact.occurred_at >= cutoff,) if kept else ()
    first, last = db.session.execute(
        select(func.min(Contact.occurred_at), func.max(Contact.occurred_at)).where(*in_range)
    ).one()
    in_range = (Incident.occurred_at >= cutoff,) if kept else ()
    incident_first, incident_last = db.session.execute(
        select(func.min(Incident.occurred_at), func.max(Incident.occurred_at)).where(*in_range)
    ).one()
    moments = [m for m in (first, last, incident_first, incident_last) if m is not None]
    # First contacts, from scratch (but for clients first seen in a purged month).
    earliest = (
        select(Contact.client_id, func.min(Contact.occurred_at).label("first"))
        .where(Contact.voided_at.is_(None), Contact.client_id.is_not(None))
        .group_by(Contact.client_id)
        .subquery()
    )
    recounted = (
        (or_(Client.first_contact_at.is_(None), Client.first_contact_at >= cutoff),) if kept else ()
    )
    db.session.execute(
        update(Client).where(*recounted).values(first_contact_at=None, first_site_id=None)
    )
    db.session.execute(
        update(Client)
        .where(Client.first_contact_at.is_(None))
        .values(
            first_contact_at=select(earliest.c.first)
            .where(earliest.c.client_id == Client.id)
            .scalar_subquery(),
        )
    )
    db.session.execute(
        update(Client)
        .where(Client.first_contact_at.is_not(None), Client.first_site_id.is_(None))
        .values(
            first_site_id=select(Contact.site_id)
            .where(
                Contact.client_id == Client.id,
                Contact.voided_at.is_(None),
                Contact.occurred_at == Client.first_contact_at,
            )
            .order_by(Contact.site_id)
            .limit(1)
            .scalar_subquery()
        )
    )
    if not moments:
        return
    months = months_between(max(month_of(min(moments)), kept or ""), month_of(max(moments)))
    sites = list(db.session.execute(select(Site)).scalars())
    site_ids = {site.code: site.id for site in sites}
    # All months in one pass over the records: each query groups by a CASE on the month.
    report = direct_report(months, sites, distinct_people=False, stock=False)
    rows = [
        {"month": m, "site_id": site_ids[s], "indicator": i, "breakdown": b, "value": v}
        for (m, s, i, b), v in report.values.items()
        if v and s in site_ids and i in MAINTAINED
    ]
    if rows:
        db.session.execute(MonthlyCount.__table__.insert(), rows)
    for month in months:
        clients = client_rows(month)
        if clients:
            db.session.execute(MonthlyClient.__table__.insert(), clients)


# Indicators kept in monthly_counts; the rest are counted from monthly_clients and clients,
# or worked out from these when the report is read.
MAINTAINED = frozenset(
    {
        "contacts",
        "people_contacted",
        "anonymous_contacts",
        "contacts_by_flag",
        "contacts_by_gender",
        "contacts_by_age_group",
        "items_distributed",
        "syringes_returned",
        "people_trained_naloxone",
        "overdose_reversals_reported",
        "referrals_made",
        "referrals_attended",
        "dcr_visits",
        "incidents",
        "incidents_by_outcome",
        "naloxone_doses_administered",
        "records_time_corrected",
    }
)
