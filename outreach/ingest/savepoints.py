"""Storing records one by one, each in a savepoint: a rejected one leaves nothing behind."""

from outreach.errors import Conflict, InvalidInput
from outreach.extensions import db


def one_by_one(store, records: list[dict]) -> list:
    """`store(data)` for each record, each in its own savepoint: its outcome, or the
    InvalidInput or Conflict that refused it."""
    outcomes = []
    for data in records:
        try:
            with db.session.begin_nested():
                outcomes.append(store(data))
        except (InvalidInput, Conflict) as exc:
            outcomes.append(exc)
    return outcomes


def record_one(store, user, data: dict, codebook) -> str:
    """One record through a batch store function (`record_contacts`, …): its outcome, or the
    InvalidInput or Conflict that refused it, raised (as the forms want it)."""
    outcome = store(user, [data], codebook)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
