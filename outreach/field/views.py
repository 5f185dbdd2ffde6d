"""Field pages for every signed-in user: home, contact and incident forms, referral follow-up,
and stock (a count or a bulk hand-out at one of their sites)."""

import uuid
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from outreach.catalog import vocabulary
from outreach.catalog.codebook import load_codebook
from outreach.catalog.service import (
    active_equipment,
    active_referral_types,
    site_options,
    sites_for,
)
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.field.forms import (
    contact_from_form,
    form_errors,
    incident_from_form,
    local_now_value,
    movement_from_form,
)
from outreach.identity import DUPLICATE
from outreach.ingest.checks import load_record
from outreach.ingest.contacts import record_contacts
from outreach.ingest.follow_ups import record_referral_updates
from outreach.ingest.incidents import record_incidents
from outreach.ingest.savepoints import each_in_a_savepoint, record_one
from outreach.languages import current_language
from outreach.records import service
from outreach.records.schemas import ContactIn, IncidentIn, ReferralUpdateIn
from outreach.supplies.movements import load_movement, record_movement
from outreach.supplies.schemas import StockMovementIn
from outreach.supplies.vocabulary import MOVEMENT_KINDS, WORKER_KINDS
from outreach.timekeeping import local_day_bounds, local_week_bounds, now
from outreach.transactions import form_transaction

bp = Blueprint("field", __name__, url_prefix="/field")

contact_schema = ContactIn()
incident_schema = IncidentIn()
referral_update_schema = ReferralUpdateIn()
stock_movement_schema = StockMovementIn()
store_movements = each_in_a_savepoint(record_movement)


def _save(load, schema, record: dict, store) -> tuple[bool, dict]:
    """Load a form's record through the API's schema and loader (`load(schema, raw, user,
    codebook)`, as the sync takes them) and store it with the sync's store function; (saved,
    field errors)."""
    with form_transaction(lambda errors: form_errors(errors, record)) as work:
        codebook = load_codebook()
        data = load(schema, record, current_user, codebook)
        if record_one(store, current_user, data, codebook) == DUPLICATE:
            flash(_("This record was already saved."), "info")
    return work.saved, work.errors


def _form_context(**extra) -> dict:
    sites = sites_for(current_user)
    return {
        "site_options": site_options(sites),
        "pack_sites": [site for site in sites if site.usual_packs],
        "vocabulary": vocabulary,
        "new_id": str(uuid.uuid4()),
        "now_value": local_now_value(),
        **extra,
    }


@bp.route("")
@login_required
def home():
    """New contact, new incident, what I logged today and this week, my referrals waiting
    (the phone's outbox shows in the sync bar and under "needs attention")."""
    referrals = db.session.execute(service.open_referrals(current_user).limit(5)).scalars()
    return render_template(
        "field/home.html",
        tally=service.tally(current_user, *local_day_bounds()),
        week=service.tally(current_user, *local_week_bounds()),
        referrals=list(referrals),
    )


def _record_page(load, schema, store, record, template: str, saved: str, **context):
    """A record's form (it posts to itself and works without JavaScript): shown, or posted and
    saved, going home, or refused with its messages beside the fields (422)."""
    errors, values = {}, {}
    if request.method == "POST":
        is_saved, errors = _save(load, schema, record(request.form), store)
        if is_saved:
            flash(saved, "success")
            return redirect(url_for("field.home"))
        values = request.form
    page = render_template(template, **_form_context(errors=errors, values=values, **context))
    return page, 422 if errors else 200


@bp.route("/contacts/new", methods=["GET", "POST"])
@login_required
def new_contact():
    """The contact form."""
    equipment = active_equipment()
    referral_types = active_referral_types()
    codes = (
        [item.code for item in equipment],
        [referral_type.code for referral_type in referral_types],
    )
    return _record_page(
        partial(load_record, "contact"),
        contact_schema,
        record_contacts,
        lambda form: contact_from_form(form, *codes),
        "field/contact_form.html",
        _("Contact saved."),
        equipment=equipment,
        referral_types=referral_types,
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
@login_required
def new_incident():
    """The incident form."""
    return _record_page(
        partial(load_record, "incident"),
        incident_schema,
        record_incidents,
        incident_from_form,
        "field/incident_form.html",
        _("Incident saved."),
    )


@bp.route("/referrals", methods=["GET", "POST"])
@login_required
def referrals():
    """Referrals waiting for follow-up, each with a small form to record what became of it."""
    errors = {}
    if request.method == "POST":
        record = {
            key: request.form.get(key) or None
            for key in ("id", "referral_id", "status", "occurred_at")
        }
        record["occurred_at"] = record["occurred_at"] or now().isoformat()
        saved, errors = _save(
            partial(load_record, "referral_update"),
            referral_update_schema,
            record,
            record_referral_updates,
        )
        if saved:
            flash(_("Follow-up saved."), "success")
            return redirect(url_for("field.referrals"))
    waiting = db.session.execute(service.open_referrals(current_user)).scalars()
    status = 422 if errors else 200
    return render_template(
        "field/referrals.html",
        referrals=list(waiting),
        vocabulary=vocabulary,
        errors=errors,
        new_id=lambda: str(uuid.uuid4()),
        # Sent back with the form, so a form posted twice is the same follow-up (a duplicate).
        followed_up_at=now().isoformat(),
    ), status


def _load_count_or_hand_out(schema, raw, user, codebook) -> dict:
    """A stock movement from the field's stock page, which records counts and bulk hand-outs
    only (deliveries and the rest are the supervisors' pages'): InvalidInput naming every
    problem otherwise."""
    try:
        data, errors = load_movement(schema, raw, user, codebook), {}
    except InvalidInput as exc:
        data, errors = None, dict(exc.errors)
    if raw.get("kind") not in WORKER_KINDS:
        errors["kind"] = [_("Choose a count or a bulk hand-out.")]
    if errors:
        raise InvalidInput(errors=errors)
    return data


@bp.route("/stock", methods=["GET", "POST"])
@login_required
def stock():
    """Stock at one of the user's sites: a count of what is on the shelf, or a bulk hand-out
    (packs handed out without logging each person)."""
    language = current_language()
    return _record_page(
        _load_count_or_hand_out,
        stock_movement_schema,
        store_movements,
        movement_from_form,
        "field/stock.html",
        _("Stock record saved."),
        item_options=[(item.code, item.name(language)) for item in active_equipment()],
        kind_options=[(kind, MOVEMENT_KINDS[kind]) for kind in WORKER_KINDS],
    )
