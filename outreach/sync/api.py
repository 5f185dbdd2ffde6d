"""`POST /api/v1/sync`: the one door for records made on a device."""

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import OperationalError

from outreach.apiblueprint import ApiBlueprint
from outreach.audit.service import record_event
from outreach.errors import BatchTooLarge, InvalidInput
from outreach.sealing.envelope import SealError, open_envelope
from outreach.sealing.keys import keyring
from outreach.sealing.schemas import EnvelopeIn, OpenedOut
from outreach.sync.schemas import SyncBatchIn, SyncResponseOut
from outreach.sync.service import apply_sync_batch, batch_size
from outreach.timekeeping import clock_correction, now
from outreach.transactions import transaction

DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a transaction ended to break a deadlock
DEADLOCK_ATTEMPTS = 3

blp = ApiBlueprint("sync_api", __name__, url_prefix="/api/v1", description="Sync from devices.")


@blp.route("/sync", methods=["POST"])
@blp.arguments(SyncBatchIn)
@blp.response(200, SyncResponseOut)
@blp.errors(400, 401)
@blp.error(413, "More than 500 records or more than 1 MiB.")
@login_required
def sync(batch):
    """Store contacts, incidents, referral follow-ups and stock movements; one result per record.

    With `sent_at`, a device whose clock is off by 2 minutes to 24 hours has its records' times
    corrected by the difference (`clock_correction_seconds`).

    `created` and `duplicate` mean stored: the device may drop the record from its outbox.
    `rejected` comes with field messages; `conflict` means the id holds other content.
    """
    limit = current_app.config["OUTREACH_SYNC_MAX_RECORDS"]
    if batch_size(batch) > limit:
        raise BatchTooLarge(_("At most %(n)d records per request.", n=limit))
    received_at = now()
    sent_at = batch.pop("sent_at")
    correction = clock_correction(sent_at, received_at)
    return {
        "results": _store(batch, correction),
        "server_time": received_at,
        "clock_offset_seconds": (
            None if sent_at is None else round((sent_at - received_at).total_seconds())
        ),
        "clock_correction_seconds": round(correction.total_seconds()),
    }


@blp.route("/outbox/open", methods=["POST"])
@blp.arguments(EnvelopeIn)
@blp.response(200, OpenedOut)
@blp.errors(400, 401)
@blp.error(422, "The envelope is malformed, or does not open for this user.")
@login_required
def open_sealed(envelope):
    """Open a sealed record for its author, to fix it after it was rejected (audited).

    A record sealed by another user, changed, or sealed to a key the server no longer holds
    does not open: 422 with a message for `sealed`.
    """
    try:
        record = open_envelope(envelope, current_user.username, keyring())
    except SealError as exc:
        raise InvalidInput(errors={"sealed": [str(exc)]}) from exc
    with transaction():
        record_event("outbox_opened", current_user, target=envelope["id"])
    return {"id": envelope["id"], "record": record}


def _store(batch: dict, correction) -> list[dict]:
    """Apply the batch and commit. PostgreSQL may end a batch as the victim of a deadlock with
    a concurrent sync (say, two phones creating the same new clients in another order): the
    whole batch was rolled back then, so it runs again."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction():
                # The user itself, not the proxy: it is read for every record.
                results = apply_sync_batch(current_user._get_current_object(), batch, correction)
        except OperationalError as exc:
            if attempt == DEADLOCK_ATTEMPTS or getattr(exc.orig, "sqlstate", None) != DEADLOCK:
                raise
            current_app.logger.warning("Sync batch ended by a deadlock; running it again.")
        else:
            return results
    raise AssertionError("unreachable")
