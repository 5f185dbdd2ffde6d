"""A rejected record names every field that is wrong at once, not the first problem found: the
schema's own checks, the group rule, and what its codes refer to (site, items, referral types,
the referral followed up)."""

import pytest

from tests.sync.helpers import NOTHING, device_time, new_id, results_of


def rejected(response) -> dict:
    (result,) = results_of(response)
    assert result["status"] == "rejected", result
    return result["errors"]


def test_a_group_contact_with_a_short_code_hears_both_problems(worker, make_contact, count_rows):
    errors = rejected(worker.sync(contacts=[make_contact(client_code="AB", people_count=3)]))
    assert errors == {
        "client_code": [
            "A client code needs at least 4 letters or digits.",
            "A group contact counts anonymous people: leave the client code empty.",
        ]
    }
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"site": "NOWHERE", "people_count": 0},
            {"site": ["Unknown site."], "people_count": ["Must be between 1 and 500."]},
        ),
        (
            {"site": "RTM-NSP1", "occurred_at": "2026-13-40T99:00:00+01:00"},
            {"site": ["You do not work at this site."], "occurred_at": ["Not a valid"]},
        ),
        (
            {
                "items": [{"code": "no_such_item", "quantity": 1}],
                "referrals": [{"id": new_id(), "type": "no_such_type"}],
                "route": "teleport",
            },
            {
                "items": ["Unknown item: no_such_item."],
                "referrals": ["Unknown referral type: no_such_type."],
                "route": ["Unknown code."],
            },
        ),
        (
            # Both problems come from the catalog: they were already listed together.
            {"site": "NOWHERE", "items": [{"code": "no_such_item", "quantity": 1}]},
            {"site": ["Unknown site."], "items": ["Unknown item: no_such_item."]},
        ),
        (
            {"occurred_at": device_time(minutes_ago=-60), "people_count": 2, "birth_year": 1800},
            {
                "occurred_at": ["The time lies in the future. Check the phone's clock."],
                "client_code": [
                    "A group contact counts anonymous people: leave the client code empty."
                ],
                "birth_year": ["Must be between 1920 and"],
            },
        ),
    ],
    ids=["site-and-people", "site-and-time", "items-types-and-route", "catalog", "time-group-year"],
)
def test_a_contact_names_every_wrong_field(worker, make_contact, count_rows, fields, expected):
    errors = rejected(worker.sync(contacts=[make_contact(**fields)]))
    assert set(errors) == set(expected)
    for field, messages in expected.items():
        assert len(errors[field]) == len(messages), errors
        for said, meant in zip(errors[field], messages, strict=True):
            assert said.startswith(meant), errors
    assert count_rows() == NOTHING


def test_an_incident_names_its_site_beside_its_own_fields(worker, make_incident):
    incident = make_incident(site="NOWHERE", naloxone_doses=99, outcome="fine")
    errors = rejected(worker.sync(incidents=[incident]))
    assert errors == {
        "site": ["Unknown site."],
        "naloxone_doses": ["Must be between 0 and 20."],
        "outcome": ["Unknown code."],
    }


def test_a_follow_up_names_its_referral_beside_its_own_fields(worker):
    update = {
        "id": new_id(),
        "referral_id": new_id(),
        "status": "cured",
        "occurred_at": device_time(),
    }
    errors = rejected(worker.sync(referral_updates=[update]))
    assert errors == {"referral_id": ["Unknown referral."], "status": ["Unknown code."]}
