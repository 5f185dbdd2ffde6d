"""Fixtures for reading and voiding records: a team of users around one worker's records."""

import uuid

import pytest

from outreach.extensions import db
from tests.conftest import ApiClient

# Who, role, sites. `owner` records; the others look at (or void) the owner's records.
TEAM = {
    "owner": ("worker", ("AMS-DCR1",)),
    "colleague": ("worker", ("AMS-DCR1",)),
    "supervisor": ("supervisor", ("AMS-DCR1",)),
    "other_supervisor": ("supervisor", ("RTM-NSP1",)),
    "other_worker": ("worker", ("RTM-NSP1",)),
    "admin": ("admin", ()),
}


class Anonymous:
    """A client that never signed in; it has no CSRF token to send."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, **kwargs)


class Team:
    """The users of TEAM (username = who), made and signed in on first use, each with their
    own cookie jar."""

    def __init__(self, app, make_user):
        self.app = app
        self.make_user = make_user
        self._clients = {}

    def __getitem__(self, who):
        if who not in self._clients:
            if who == "anonymous":
                self._clients[who] = Anonymous(self.app.test_client())
            else:
                role, sites = TEAM[who]
                username = self.make_user(role, sites, username=who)
                self._clients[who] = ApiClient(self.app.test_client(), username)
        return self._clients[who]


@pytest.fixture
def team(app, make_user):
    return Team(app, make_user)


@pytest.fixture
def record_for(make_contact, make_incident):
    """`record_for(client, "contacts", **fields)` syncs one record and returns its id."""

    def record(api, plural="contacts", **fields):
        made = make_contact(**fields) if plural == "contacts" else make_incident(**fields)
        key = "contacts" if plural == "contacts" else "incidents"
        response = api.sync(**{key: [made]})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["results"][0]["status"] == "created", response.get_json()
        return made["id"]

    return record


@pytest.fixture
def change_record(app):
    """`change_record(Model, id, received_at=...)` edits a stored row, as time passing would."""

    def change(model, record_id, **columns):
        with app.app_context():
            record = db.session.get(model, uuid.UUID(str(record_id)))
            for name, value in columns.items():
                setattr(record, name, value)
            db.session.commit()

    return change
