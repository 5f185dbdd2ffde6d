"""Storing drug-related emergencies, each on its own."""

from outreach.catalog.codebook import Codebook
from outreach.clients.service import client_key, find_or_create_client
from outreach.extensions import db
from outreach.ingest.checks import site_for
from outreach.ingest.identity import (
    CREATED,
    content_hash,
    correction_seconds,
    existing_outcome,
    insert_or_compare,
)
from outreach.ingest.savepoints import one_by_one
from outreach.records.models import Incident
from outreach.reports import rollups
from outreach.timekeeping import now, offset_minutes


def record_incidents(user, incidents: list[dict], codebook: Codebook) -> list:
    """Store incidents loaded by IncidentIn, each in a savepoint of its own."""
    return one_by_one(lambda data: _record_incident(user, data, codebook), incidents)


def _record_incident(user, data: dict, codebook: Codebook) -> str:
    digest = content_hash("incident", data)
    existing = db.session.get(Incident, data["id"])
    if existing is not None:
        return existing_outcome(existing, digest)

    site = site_for(user, data["site"], codebook)
    occurred_at = data["occurred_at"]
    client = None
    if data.get("client_code"):
        client, changed = find_or_create_client(client_key(data["client_code"]), occurred_at)
        if changed:
            rollups.copy_client_details(client)
    incident = Incident(
        id=data["id"],
        occurred_at=occurred_at,
        utc_offset_minutes=offset_minutes(occurred_at),
        clock_correction_seconds=correction_seconds(data),
        received_at=now(),
        content_hash=digest,
        site_id=site.id,
        recorded_by_id=user.id,
        client=client,
        kind=data["kind"],
        naloxone_doses=data["naloxone_doses"],
        oxygen_given=data["oxygen_given"],
        rescue_breathing=data["rescue_breathing"],
        ambulance_called=data["ambulance_called"],
        outcome=data["outcome"],
    )
    outcome = insert_or_compare(incident, Incident, digest)
    if outcome == CREATED:
        rollups.count_incident(incident)
    return outcome
