"""Storing records one by one, each in a savepoint: a rejected one leaves nothing behind."""

from outreach.errors import Conflict, InvalidInput
from outreach.extensions import db


def each_in_a_savepoint(store_one):
    """A batch store function (`store(user, records, codebook)`, as the sync takes them) made
    from `store_one(user, data, codebook)`: each record in its own savepoint, answering its
    outcome, or the InvalidInput or Conflict that refused it."""

    def store(user, records: list[dict], codebook) -> list:
        outcomes = []
        for data in records:
            try:
                with db.session.begin_nested():
                    outcomes.append(store_one(user, data, codebook))
            except (InvalidInput, Conflict) as exc:
                outcomes.append(exc)
        return outcomes

    return store


def record_one(store, user, data: dict, codebook) -> str:
    """One record through a batch store function (`record_contacts`, …): its outcome, or the
    InvalidInput or Conflict that refused it, raised (as the forms want it)."""
    outcome = store(user, [data], codebook)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
