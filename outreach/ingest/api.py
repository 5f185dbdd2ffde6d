"""Voiding records: `POST /api/v1/contacts/<id>/void` and `POST /api/v1/incidents/<id>/void`."""

import uuid

from flask_login import current_user, login_required

from outreach.apiblueprint import ApiBlueprint
from outreach.extensions import db
from outreach.ingest.voids import void_record
from outreach.records.models import Contact, Incident
from outreach.records.schemas import ContactOut, IncidentOut, VoidIn
from outreach.transactions import transaction

blp = ApiBlueprint("voids_api", __name__, url_prefix="/api/v1", description="Voiding records.")


def _void(model, record_id: uuid.UUID, reason: str):
    record = db.get_or_404(model, record_id)
    with transaction():
        void_record(current_user, record, reason)
    return record


@blp.route("/contacts/<uuid:record_id>/void", methods=["POST"])
@login_required
@blp.arguments(VoidIn)
@blp.response(200, ContactOut)
@blp.errors(400, 401, 403, 404, 413)
@blp.error(409, "The record was already voided.")
def void_contact(payload, record_id):
    """Void a contact with a reason: it stays stored but no longer counts.

    A worker may void their own records within 24 hours of their arrival, a supervisor their
    sites' records, an admin any (403 otherwise); a voided record cannot be voided again (409).
    """
    return _void(Contact, record_id, payload["reason"])


@blp.route("/incidents/<uuid:record_id>/void", methods=["POST"])
@login_required
@blp.arguments(VoidIn)
@blp.response(200, IncidentOut)
@blp.errors(400, 401, 403, 404, 413)
@blp.error(409, "The record was already voided.")
def void_incident(payload, record_id):
    """Void an incident with a reason: it stays stored but no longer counts.

    Who may void it as for a contact (403 otherwise); a voided incident cannot be voided again
    (409).
    """
    return _void(Incident, record_id, payload["reason"])
