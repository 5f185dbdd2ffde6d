"""Reading records: `/api/v1/contacts`, `/api/v1/incidents`, `/api/v1/referrals` (voiding them is
`outreach.ingest.api`)."""

from flask_login import current_user, login_required

from outreach.apiblueprint import ApiBlueprint
from outreach.extensions import db
from outreach.records import service
from outreach.records.models import Contact, Incident
from outreach.records.schemas import (
    ContactOut,
    ContactPageOut,
    IncidentOut,
    IncidentPageOut,
    ListArgs,
    ReferralArgs,
    ReferralListOut,
)

blp = ApiBlueprint("records_api", __name__, url_prefix="/api/v1", description="Field records.")


def _page(model, plural: str, args: dict) -> dict:
    query = service.list_records(model, current_user, args["from_"], args["to"], args["site"])
    page = db.paginate(
        query, page=args["page"], per_page=args["per_page"], error_out=False, count=True
    )
    return {
        plural: list(page.items),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


@blp.route("/contacts", methods=["GET"])
@login_required
@blp.arguments(ListArgs, location="query")
@blp.response(200, ContactPageOut)
@blp.errors(401)
def list_contacts(args):
    """Contacts the user may see, newest first (a worker: their own of the last 7 days)."""
    return _page(Contact, "contacts", args)


@blp.route("/contacts/<uuid:record_id>", methods=["GET"])
@login_required
@blp.response(200, ContactOut)
@blp.errors(401, 403, 404)
def get_contact(record_id):
    """One contact."""
    return service.get_record(Contact, record_id, current_user)


@blp.route("/incidents", methods=["GET"])
@login_required
@blp.arguments(ListArgs, location="query")
@blp.response(200, IncidentPageOut)
@blp.errors(401)
def list_incidents(args):
    """Incidents the user may see, newest first (voided ones left out).

    `from` and `to` are days in the organisation's time zone, both included; `to` before `from`
    lists nothing, as does a site code the user has no records of.
    """
    return _page(Incident, "incidents", args)


@blp.route("/incidents/<uuid:record_id>", methods=["GET"])
@login_required
@blp.response(200, IncidentOut)
@blp.errors(401, 403, 404)
def get_incident(record_id):
    """One incident."""
    return service.get_record(Incident, record_id, current_user)


@blp.route("/referrals", methods=["GET"])
@login_required
@blp.arguments(ReferralArgs, location="query")
@blp.response(200, ReferralListOut)
@blp.errors(401)
def list_referrals(args):
    """Referrals in a status (default `made`: waiting for follow-up) the user may follow up."""
    query = service.open_referrals(current_user, args["status"])
    return {"referrals": list(db.session.execute(query).scalars())}
