"""Voiding a record: it stays stored, with who, when and why, but no longer counts."""

from flask_babel import gettext as _

from outreach.audit.service import record_event
from outreach.catalog.codebook import load_codebook
from outreach.errors import Conflict, NotAllowed
from outreach.records.access import can_void
from outreach.records.models import Contact
from outreach.reports import rollups
from outreach.supplies.ledger import put_back_contact
from outreach.timekeeping import now


def void_record(user, record, reason: str) -> None:
    """Soft-delete a record with a reason, taking it out of the roll-ups (a contact's items go
    back into stock); audited."""
    if not can_void(user, record):
        raise NotAllowed(_("You may not void this record."))
    if record.is_voided:
        raise Conflict(_("This record was already voided."))
    if isinstance(record, Contact):
        put_back_contact(record, user.id)  # before the contact's row changes: lock order
    record.voided_at = now()
    record.voided_by_id = user.id
    record.void_reason = reason.strip()
    if isinstance(record, Contact):
        codebook = load_codebook()
        rollups.count_contact(record, codebook.item_codes, codebook.type_codes, sign=-1)
        if record.client_id is not None:
            rollups.recount_first_contact(record.client_id)
    else:
        rollups.count_incident(record, sign=-1)
    record_event("void", user, target=f"{record.__tablename__}:{record.id}", detail=reason)
