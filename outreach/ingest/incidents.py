"""Storing drug-related emergencies, each on its own."""

from outreach.catalog.codebook import Codebook
from outreach.clients.service import client_key, find_or_create_client
from outreach.identity import CREATED, insert_or_compare, record_columns, stored_outcome
from outreach.ingest.savepoints import each_in_a_savepoint
from outreach.records.models import Incident
from outreach.reports import rollups
from outreach.timekeeping import now


def _record_incident(user, data: dict, codebook: Codebook) -> str:
    """Store an incident loaded by IncidentIn."""
    key = client_key(data["client_code"]) if data.get("client_code") else None
    digest, outcome = stored_outcome(Incident, "incident", data, key)
    if outcome is not None:
        return outcome

    site = codebook.site_for(user, data["site"])
    occurred_at = data["occurred_at"]
    client = None
    if key is not None:
        client, changed = find_or_create_client(key, occurred_at)
        if changed:
            rollups.copy_client_details(client)
    incident = Incident(**incident_row(user.id, site.id, data, digest, now(), client))
    outcome = insert_or_compare(incident, Incident, digest)
    if outcome == CREATED:
        rollups.count_incident(incident)
    return outcome


record_incidents = each_in_a_savepoint(_record_incident)


def incident_row(user_id: int, site_id: int, data: dict, digest: str, received_at, client) -> dict:
    """The `incidents` row of a loaded incident (the demo's volume generator builds its rows
    with it too)."""
    return {
        **record_columns(user_id, site_id, data, digest, received_at),
        "client_id": client.id if client is not None else None,
        "kind": data["kind"],
        "naloxone_doses": data["naloxone_doses"],
        "oxygen_given": data["oxygen_given"],
        "rescue_breathing": data["rescue_breathing"],
        "ambulance_called": data["ambulance_called"],
        "outcome": data["outcome"],
    }
