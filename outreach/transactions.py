"""The one commit point of a request: services flush and never commit; a page or an endpoint
runs its unit of work inside one of these, which commits it, or rolls it all back."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from outreach.errors import Conflict, InvalidInput, plain
from outreach.extensions import db


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block did, or roll it back if anything raises and let the error go on
    (an API answers it: InvalidInput is a 422 with field messages)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@dataclass
class FormWork:
    """How a form's unit of work ended: `saved`, or refused with `errors` for the form."""

    errors: dict = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return not self.errors


@contextmanager
def form_transaction(field_errors: Callable[[dict], dict] = plain) -> Iterator[FormWork]:
    """A page's form: like `transaction`, but a refusal is kept for the form to show, rather
    than raised: InvalidInput's messages (through `field_errors`, which may name them as the
    form does), or a Conflict's message for the whole form."""
    work = FormWork()
    try:
        yield work
    except InvalidInput as exc:
        db.session.rollback()
        work.errors = field_errors(exc.errors) or {"_form": [exc.message]}
    except Conflict as exc:
        db.session.rollback()
        work.errors = {"_form": [exc.message]}
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()
