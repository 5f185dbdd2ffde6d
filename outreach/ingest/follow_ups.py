"""Storing what became of referrals: the latest follow-up sets a referral's status."""

from outreach.catalog.codebook import Codebook
from outreach.errors import InvalidInput
from outreach.identity import (
    CREATED,
    correction_seconds,
    insert_or_compare,
    stored_outcome,
)
from outreach.ingest.checks import referral_for
from outreach.ingest.savepoints import each_in_a_savepoint
from outreach.records.models import ReferralStatusChange
from outreach.reports import rollups
from outreach.timekeeping import now


def _record_referral_update(user, data: dict, codebook: Codebook) -> str:
    """Store a follow-up loaded by ReferralUpdateIn."""
    digest, outcome = stored_outcome(ReferralStatusChange, "referral_update", data)
    if outcome is not None:
        return outcome

    referral, errors = referral_for(user, data)
    if errors:
        raise InvalidInput(errors=errors)
    occurred_at = data["occurred_at"]
    change = ReferralStatusChange(
        id=data["id"],
        referral_id=referral.id,
        status=data["status"],
        occurred_at=occurred_at,
        clock_correction_seconds=correction_seconds(data),
        received_at=now(),
        recorded_by_id=user.id,
        content_hash=digest,
    )
    outcome = insert_or_compare(change, ReferralStatusChange, digest)
    if outcome == CREATED and occurred_at >= referral.status_changed_at:
        type_code = codebook.type_codes[referral.type_id]
        rollups.count_referral_status(
            referral, referral.contact, type_code, referral.status, data["status"]
        )
        referral.status = data["status"]
        referral.status_changed_at = occurred_at
    return outcome


record_referral_updates = each_in_a_savepoint(_record_referral_update)
