"""The field pages as a browser without JavaScript uses them: plain HTML forms posted to the
server (DESIGN §5), and the names a screen reader and the browser tests rely on."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from outreach.catalog.models import EquipmentItem
from outreach.extensions import db
from outreach.records.models import Contact, Incident, Referral, ReferralStatusChange
from outreach.timekeeping import local_week_bounds
from tests.field.html import UNLABELLED_INPUT_TYPES, accessible_name, form_fields, label_of, parse

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIELD_PAGES = [
    "/field",
    "/field/contacts/new",
    "/field/incidents/new",
    "/field/referrals",
    "/field/stock",
]
CONTACT_FORM = "/field/contacts/new"
INCIDENT_FORM = "/field/incidents/new"


def open_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return parse(response.get_data(as_text=True))


def blank_form(client, url, form_id) -> dict[str, list[str]]:
    """What the browser would post for the form as the page shows it."""
    return form_fields(open_page(client, url).one("form", id=form_id))


def fill(form: dict, **fields) -> dict:
    """The form with fields typed in (`item__syringe_1ml` for `item.syringe_1ml`)."""
    filled = dict(form)
    for name, value in fields.items():
        name = name.replace("__", ".")
        if value is None:
            filled.pop(name, None)
        else:
            filled[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return filled


def contact_form(client, **fields) -> dict:
    return fill(blank_form(client, CONTACT_FORM, "contact-form"), **fields)


def incident_form(client, **fields) -> dict:
    return fill(blank_form(client, INCIDENT_FORM, "incident-form"), **fields)


def redirected_to(response) -> str:
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))
    return urlsplit(response.headers["Location"]).path


def tally(page) -> dict[str, int]:
    return {
        dd["data-tally"]: int(dd.text) for dd in page.find_all("dd") if "data-tally" in dd.attrs
    }


def flashes(page) -> list[str]:
    return [p.text for p in page.find_all("p") if "flash" in p.get("class", "").split()]


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def error_of(page, control) -> str:
    """The message tied to a control by aria-describedby, as a screen reader announces it."""
    assert control.get("aria-invalid") == "true", control
    described_by = control.get("aria-describedby")
    assert described_by, control
    message = page.one(id=described_by)
    return message.text


def local_value(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


# Who reaches the field pages


@pytest.mark.parametrize("url", FIELD_PAGES)
def test_field_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert location.query == f"next={url}"


@pytest.mark.parametrize(
    ("role", "sites"),
    [
        ("worker", ("AMS-DCR1",)),
        ("supervisor", ("AMS-DCR1", "AMS-OUT1")),
        ("admin", ()),
        ("worker", ("RTM-NSP1",)),
    ],
)
def test_field_pages_open_for_every_role(login_as, role, sites):
    api = login_as(role, sites=sites)

    assert {url: api.get(url).status_code for url in FIELD_PAGES} == dict.fromkeys(FIELD_PAGES, 200)


@pytest.mark.parametrize(
    ("role", "sites", "offered"),
    [
        ("worker", ("AMS-DCR1",), ["AMS-DCR1"]),
        ("worker", ("RTM-NSP1", "AMS-OUT1"), ["AMS-OUT1", "RTM-NSP1"]),
        ("admin", (), ["AMS-DCR1", "AMS-OUT1", "RTM-NSP1"]),
    ],
)
def test_forms_offer_the_users_own_sites(login_as, role, sites, offered):
    api = login_as(role, sites=sites)

    for url in (CONTACT_FORM, INCIDENT_FORM):
        options = open_page(api.client, url).one("select", name="site").find_all("option")
        assert [option["value"] for option in options] == offered, url


@pytest.mark.parametrize(
    ("language", "site", "pack"),
    [
        ("en", "Street team (AMS-OUT1)", "Usual pack: Injecting pack"),
        ("nl", "Veldwerkteam (AMS-OUT1)", "Injectiepakket"),
    ],
)
def test_the_contact_form_names_sites_and_packs_in_the_pages_language(
    login_as, language, site, pack
):
    api = login_as("worker", sites=("AMS-OUT1",))

    response = api.client.get(CONTACT_FORM, headers={"Accept-Language": language})
    page = parse(response.get_data(as_text=True))

    assert page.one("select", name="site").one("option").text == site
    assert pack in page.one("button", class_="pack").text


def test_home_offers_the_two_forms(worker):
    page = open_page(worker.client, "/field")

    links = {link.text: link["href"] for link in page.find_all("a")}
    assert links["New contact"] == CONTACT_FORM
    assert links["New incident"] == INCIDENT_FORM


# The contact form


def test_contact_from_the_form_is_saved_and_counted_in_the_tally(app, worker):
    form = contact_form(
        worker.client,
        kind="dcr_visit",
        client_code="jade 0101 m",
        item__syringe_1ml=10,
        item__swab=5,
        returned_syringes=4,
        flags=["injects", "homeless"],
        referral__hcv_test="on",
        referred_to__hcv_test="GGD",
    )

    response = worker.client.post(CONTACT_FORM, data=form)

    assert redirected_to(response) == "/field"
    home = open_page(worker.client, "/field")
    assert "Contact saved." in flashes(home)
    assert tally(home) == {
        "contacts": 1,
        "people": 1,
        "syringes_given": 10,
        "syringes_returned": 4,
        "referrals": 1,
        "incidents": 0,
    }
    waiting = home.one("section", aria_labelledby="referrals-heading").find_all("li")
    assert [item.text.split(" · ")[:2] for item in waiting] == [["HCV test", "AMS-DCR1"]]

    [contact] = worker.get("/api/v1/contacts").get_json()["contacts"]
    assert contact["id"] == form["id"][0]
    assert (contact["site"], contact["kind"], contact["recorded_by"]) == (
        "AMS-DCR1",
        "dcr_visit",
        worker.username,
    )
    assert contact["flags"] == ["injects", "homeless"]
    assert sorted((i["code"], i["quantity"]) for i in contact["items"]) == [
        ("swab", 5),
        ("syringe_1ml", 10),
    ]
    [referral] = contact["referrals"]
    assert (referral["type"], referral["referred_to"], referral["status"]) == (
        "hcv_test",
        "GGD",
        "made",
    )
    assert contact["client_alias"]


def test_group_contact_counts_its_people_in_the_tally(worker):
    for people in ("4", "1"):
        form = contact_form(worker.client, kind="street_outreach", people_count=people)
        assert redirected_to(worker.client.post(CONTACT_FORM, data=form)) == "/field"

    counted = tally(open_page(worker.client, "/field"))

    assert (counted["contacts"], counted["people"]) == (2, 5)


def test_voided_contact_leaves_the_tally(worker):
    form = contact_form(worker.client, item__syringe_1ml=10)
    worker.client.post(CONTACT_FORM, data=form)

    worker.post(f"/api/v1/contacts/{form['id'][0]}/void", json={"reason": "Entered twice"})

    counted = tally(open_page(worker.client, "/field"))
    assert (counted["contacts"], counted["syringes_given"]) == (0, 0)


@pytest.mark.parametrize(
    ("utc_offset", "zone"),
    [
        # Without JavaScript no offset is sent: the organisation's time zone applies.
        (None, AMSTERDAM),
        ("0", UTC),
        ("-300", timezone(timedelta(hours=-5))),
    ],
)
def test_form_time_is_read_with_the_devices_offset(worker, utc_offset, zone):
    moment = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    form = contact_form(
        worker.client, occurred_at=local_value(moment.astimezone(zone)), utc_offset=utc_offset
    )

    assert redirected_to(worker.client.post(CONTACT_FORM, data=form)) == "/field"

    stored = worker.get(f"/api/v1/contacts/{form['id'][0]}").get_json()
    assert datetime.fromisoformat(stored["occurred_at"]) == moment


def test_posting_the_same_form_twice_stores_one_contact(app, worker):
    form = contact_form(worker.client, item__syringe_1ml=10, referral__hiv_test="on")

    first = worker.client.post(CONTACT_FORM, data=form)
    again = worker.client.post(CONTACT_FORM, data=form)

    assert redirected_to(first) == redirected_to(again) == "/field"
    home = open_page(worker.client, "/field")
    assert "This record was already saved." in flashes(home)
    assert tally(home)["contacts"] == 1
    assert (count(app, Contact), count(app, Referral)) == (1, 1)


def test_changed_form_resent_with_the_same_id_changes_nothing(app, worker):
    form = contact_form(worker.client, item__syringe_1ml=10)
    worker.client.post(CONTACT_FORM, data=form)

    response = worker.client.post(CONTACT_FORM, data=fill(form, item__syringe_1ml=50))

    assert response.status_code == 422
    alert = parse(response.get_data(as_text=True)).one(id="form-errors")
    assert alert["role"] == "alert"
    assert "already stored" in alert.text
    [stored] = worker.get("/api/v1/contacts").get_json()["contacts"]
    assert stored["items"] == [{"code": "syringe_1ml", "quantity": 10}]


def test_every_problem_of_a_form_is_shown_at_once(app, worker):
    """A site that is not the worker's, a two-letter code and a group: all three messages, each
    beside its field, not one after the other."""
    form = contact_form(worker.client, site="RTM-NSP1", client_code="AB", people_count=3)

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    assert count(app, Contact) == 0
    page = parse(response.get_data(as_text=True))
    assert error_of(page, page.one("select", name="site")) == "You do not work at this site."
    assert error_of(page, page.one("input", name="client_code")) == (
        "A client code needs at least 4 letters or digits. "
        "A group contact counts anonymous people: leave the client code empty."
    )


@pytest.mark.parametrize("quantity", ["-3", "lots"])
def test_bad_quantity_is_shown_next_to_the_field_with_the_typed_values_kept(app, worker, quantity):
    form = contact_form(
        worker.client,
        kind="drop_in",
        client_code="JADE0101M",
        item__syringe_1ml=quantity,
        item__swab=7,
        returned_syringes=3,
        flags=["smokes"],
        referral__gp="on",
        referred_to__gp="Huisartsenpost",
    )

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    assert count(app, Contact) == 0
    page = parse(response.get_data(as_text=True))
    assert page.one(id="form-errors")["role"] == "alert"
    syringes = page.one("input", name="item.syringe_1ml")
    assert error_of(page, syringes)
    assert syringes["value"] == quantity
    # The fields that were fine are neither marked nor emptied.
    swabs = page.one("input", name="item.swab")
    assert (swabs["value"], swabs.get("aria-invalid")) == ("7", None)
    assert page.one("input", name="client_code")["value"] == "JADE0101M"
    assert page.one("input", name="returned_syringes")["value"] == "3"
    assert "checked" in page.one("input", name="kind", value="drop_in").attrs
    assert "checked" not in page.one("input", name="kind", value="street_outreach").attrs
    assert "checked" in page.one("input", name="flags", value="smokes").attrs
    assert "checked" in page.one("input", name="referral.gp").attrs
    assert page.one("input", name="referred_to.gp")["value"] == "Huisartsenpost"
    # The same record id, so correcting and saving makes one contact, not two.
    resent = form_fields(page.one("form", id="contact-form"))
    assert resent["id"] == form["id"]

    fixed = worker.client.post(CONTACT_FORM, data=fill(resent, item__syringe_1ml=10))

    assert redirected_to(fixed) == "/field"
    [stored] = worker.get("/api/v1/contacts").get_json()["contacts"]
    assert stored["id"] == form["id"][0]
    assert stored["kind"] == "drop_in"


def in_an_hour() -> str:
    return local_value(datetime.now(AMSTERDAM) + timedelta(hours=1))


def hundred_days_ago() -> str:
    return local_value(datetime.now(AMSTERDAM) - timedelta(days=100))


@pytest.mark.parametrize(
    ("fields", "control", "message"),
    [
        ({"occurred_at": in_an_hour}, ("input", "occurred_at"), "future"),
        ({"occurred_at": hundred_days_ago}, ("input", "occurred_at"), "more than 90 days ago"),
        ({"occurred_at": "last tuesday"}, ("input", "occurred_at"), "date and time"),
        ({"people_count": "0"}, ("input", "people_count"), "between 1 and 500"),
        ({"client_code": "A-1!"}, ("input", "client_code"), "at least 4 letters or digits"),
        ({"birth_year": "1850"}, ("input", "birth_year"), "between 1920"),
        ({"site": "RTM-NSP1"}, ("select", "site"), "You do not work at this site."),
        ({"site": "NOWHERE"}, ("select", "site"), "Unknown site."),
    ],
)
def test_invalid_field_is_marked_with_its_message(app, worker, fields, control, message):
    typed = {name: value() if callable(value) else value for name, value in fields.items()}
    form = contact_form(worker.client, **typed)

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    tag, name = control
    assert message in error_of(page, page.one(tag, name=name))
    assert count(app, Contact) == 0


def test_group_contact_with_a_client_code_is_refused_on_the_code(app, worker):
    form = contact_form(worker.client, people_count="3", client_code="JADE0101M")

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert "anonymous" in error_of(page, page.one("input", name="client_code"))


def test_worker_cannot_save_a_contact_for_another_site(app, worker):
    form = contact_form(worker.client, site="RTM-NSP1", item__syringe_1ml=5)

    response = worker.client.post(CONTACT_FORM, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert error_of(page, page.one("select", name="site")) == "You do not work at this site."
    assert count(app, Contact) == 0
    assert tally(open_page(worker.client, "/field"))["contacts"] == 0


@pytest.mark.parametrize("url", [CONTACT_FORM, INCIDENT_FORM])
def test_form_without_its_token_is_refused(app, worker, url):
    form = contact_form(worker.client) if url == CONTACT_FORM else incident_form(worker.client)
    form.pop("csrf_token")

    response = worker.client.post(url, data=form)

    assert response.status_code == 400
    assert count(app, Contact) + count(app, Incident) == 0


# The incident form


def test_incident_from_the_form_is_saved(worker):
    form = incident_form(
        worker.client,
        kind="stimulant_overdose",
        naloxone_doses=0,
        oxygen_given="on",
        ambulance_called="on",
        outcome="recovered_on_site",
    )

    response = worker.client.post(INCIDENT_FORM, data=form)

    assert redirected_to(response) == "/field"
    home = open_page(worker.client, "/field")
    assert "Incident saved." in flashes(home)
    assert tally(home)["incidents"] == 1
    stored = worker.get(f"/api/v1/incidents/{form['id'][0]}").get_json()
    assert stored["site"] == "AMS-DCR1"
    assert (stored["kind"], stored["outcome"], stored["naloxone_doses"]) == (
        "stimulant_overdose",
        "recovered_on_site",
        0,
    )
    assert (stored["oxygen_given"], stored["rescue_breathing"], stored["ambulance_called"]) == (
        True,
        False,
        True,
    )


def test_incident_form_defaults_save_an_opioid_overdose_of_unknown_outcome(worker):
    form = incident_form(worker.client)

    assert redirected_to(worker.client.post(INCIDENT_FORM, data=form)) == "/field"

    stored = worker.get(f"/api/v1/incidents/{form['id'][0]}").get_json()
    assert (stored["kind"], stored["outcome"]) == ("opioid_overdose", "unknown")


def test_incident_posted_twice_is_stored_once(app, worker):
    form = incident_form(worker.client, naloxone_doses=2)

    worker.client.post(INCIDENT_FORM, data=form)
    again = worker.client.post(INCIDENT_FORM, data=form)

    assert redirected_to(again) == "/field"
    assert "This record was already saved." in flashes(open_page(worker.client, "/field"))
    assert count(app, Incident) == 1


def test_bad_naloxone_doses_are_shown_next_to_the_field(app, worker):
    form = incident_form(worker.client, naloxone_doses=25, ambulance_called="on")

    response = worker.client.post(INCIDENT_FORM, data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    doses = page.one("input", name="naloxone_doses")
    assert "between 0 and 20" in error_of(page, doses)
    assert doses["value"] == "25"
    assert "checked" in page.one("input", name="ambulance_called").attrs
    assert count(app, Incident) == 0


def test_worker_cannot_save_an_incident_for_another_site(app, worker):
    response = worker.client.post(INCIDENT_FORM, data=incident_form(worker.client, site="RTM-NSP1"))

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert error_of(page, page.one("select", name="site")) == "You do not work at this site."
    assert count(app, Incident) == 0


# Referral follow-up


@pytest.fixture
def referral(worker, make_contact):
    """An HCV test referral made by the worker, waiting for follow-up."""
    contact = make_contact()
    assert worker.sync(contacts=[contact]).get_json()["results"][0]["status"] == "created"
    return contact["referrals"][0]["id"]


def follow_up_form(client, referral_id) -> dict:
    page = open_page(client, "/field/referrals")
    [form] = [
        form
        for form in page.find_all("form")
        if form.find("input", name="referral_id", value=referral_id)
    ]
    return form_fields(form)


def test_follow_up_from_the_referrals_page_changes_the_status(app, worker, referral):
    page = open_page(worker.client, "/field/referrals")
    [card] = page.find_all("li", class_="card")
    assert card.one("h2").text == "HCV test"
    assert "GGD" in card.text
    form = follow_up_form(worker.client, referral)

    response = worker.client.post("/field/referrals", data=fill(form, status="attended"))

    assert redirected_to(response) == "/field/referrals"
    page = open_page(worker.client, "/field/referrals")
    assert "Follow-up saved." in flashes(page)
    assert page.find_all("li", class_="card") == []
    assert "None waiting." in page.text
    attended = worker.get("/api/v1/referrals", query_string={"status": "attended"}).get_json()
    assert [r["id"] for r in attended["referrals"]] == [referral]
    assert worker.get("/api/v1/referrals").get_json()["referrals"] == []
    with app.app_context():
        [change] = db.session.execute(select(ReferralStatusChange)).scalars()
        assert (change.status, change.recorded_by.username) == ("attended", worker.username)


def test_follow_up_posted_twice_is_stored_once(app, worker, referral):
    form = fill(follow_up_form(worker.client, referral), status="declined")

    worker.client.post("/field/referrals", data=form)
    again = worker.client.post("/field/referrals", data=form)

    assert redirected_to(again) == "/field/referrals"
    assert "This record was already saved." in flashes(open_page(worker.client, "/field/referrals"))
    assert count(app, ReferralStatusChange) == 1


def test_follow_up_of_another_sites_referral_is_refused(app, login_as, worker, referral):
    stranger = login_as("worker", sites=("RTM-NSP1",))
    page = open_page(stranger.client, "/field/referrals")
    assert page.find_all("li", class_="card") == []
    form = {
        "csrf_token": [stranger.get("/api/v1/me").get_json()["csrf_token"]],
        "id": [str(uuid.uuid4())],
        "referral_id": [referral],
        "status": ["attended"],
    }

    response = stranger.client.post("/field/referrals", data=form)

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert "Unknown referral." in page.one(class_="form-error", role="alert").text
    assert count(app, ReferralStatusChange) == 0
    assert [r["id"] for r in worker.get("/api/v1/referrals").get_json()["referrals"]] == [referral]


def test_referrals_page_shows_only_the_workers_own(login_as, worker, referral):
    colleague = login_as("worker", sites=("AMS-DCR1",))
    supervisor = login_as("supervisor", sites=("AMS-DCR1",))

    assert open_page(colleague.client, "/field/referrals").find_all("li", class_="card") == []
    assert len(open_page(supervisor.client, "/field/referrals").find_all("li", class_="card")) == 1


# Names for people using a screen reader, and for the browser tests (DESIGN §5)


@pytest.mark.parametrize(
    ("url", "form_id", "name"),
    [
        (CONTACT_FORM, "contact-form", "Save contact"),
        (INCIDENT_FORM, "incident-form", "Save incident"),
    ],
)
def test_submit_buttons_are_named(worker, url, form_id, name):
    form = open_page(worker.client, url).one("form", id=form_id)

    submits = [b for b in form.find_all("button") if b.get("type", "submit") == "submit"]
    assert [accessible_name(form, button) for button in submits] == [name]
    # Without JavaScript the form posts to its own page.
    assert form["method"] == "post"
    assert form.get("action") in (None, "", url)


def test_each_item_has_a_labelled_number_input_and_named_buttons(app, worker):
    with app.app_context():
        names = list(
            db.session.execute(
                select(EquipmentItem.code, EquipmentItem.name_en)
                .where(EquipmentItem.active)
                .order_by(EquipmentItem.sort_order)
            )
        )
    page = open_page(worker.client, CONTACT_FORM)

    assert len(names) == 12
    for code, name in names:
        field = page.one("input", name=f"item.{code}")
        assert field["type"] == "number"
        assert label_of(page, field) == name
        for label, step in ((f"Add one {name}", "1"), (f"Remove one {name}", "-1")):
            button = page.one("button", aria_label=label)
            # A plain button: without JavaScript pressing it must not send the form.
            assert button["type"] == "button"
            assert (button["data-target"], button["data-step"]) == (field["id"], step)


def test_retired_items_are_not_on_the_form(app, worker):
    with app.app_context():
        item = db.session.execute(
            select(EquipmentItem).where(EquipmentItem.code == "foil")
        ).scalar_one()
        item.active = False
        db.session.commit()

    page = open_page(worker.client, CONTACT_FORM)

    assert page.find("input", name="item.foil") is None
    assert page.find("input", name="item.syringe_1ml") is not None


@pytest.mark.parametrize("url", FIELD_PAGES)
def test_sync_status_is_announced(worker, url):
    [status] = open_page(worker.client, url).find_all(role="status")

    assert "All synced" in status.text


@pytest.mark.parametrize("url", FIELD_PAGES)
def test_pages_have_no_inline_script(worker, url):
    """The Content-Security-Policy forbids inline scripts: they would silently not run."""
    page = open_page(worker.client, url)

    for script in page.find_all("script"):
        if script.get("type") == "application/json":
            continue  # data for the scripts (their messages), never run
        assert script.get("src", "").startswith("/static/"), script
        assert script.text == ""
    for element in page.iter():
        assert not any(name.startswith("on") for name in element.attrs), element


@pytest.mark.parametrize("url", FIELD_PAGES)
def test_every_field_has_a_label(worker, referral, url):
    page = open_page(worker.client, url)

    controls = [
        element
        for element in page.iter()
        if element.tag in ("select", "textarea")
        or (element.tag == "input" and element.get("type", "text") not in UNLABELLED_INPUT_TYPES)
    ]
    assert controls or url == "/field"
    for control in controls:
        assert label_of(page, control), control
        kind = control.get("type", "text")
        if control.tag != "input" or kind not in ("checkbox", "radio"):
            # Text, number, time and select fields sit beside their label: tied by for=id.
            assert page.find("label", for_=control.get("id")) is not None, control
    ids = [element["id"] for element in page.iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids))


def test_home_shows_this_weeks_tally_beside_todays(app, login_as, make_contact):
    """This week (Monday to Sunday, organisation's time zone) counts the worker's own records
    from Monday on; last week's, voided ones and other workers' do not count."""
    worker = login_as("worker")
    with app.app_context():
        monday, _sunday_end = local_week_bounds()
    zone = ZoneInfo("Europe/Amsterdam")
    this_week = (monday + timedelta(minutes=1)).astimezone(zone).isoformat()
    last_week = (monday - timedelta(hours=1)).astimezone(zone).isoformat()
    kept = make_contact(occurred_at=this_week, referrals=[])
    voided = make_contact(occurred_at=this_week, referrals=[])
    answer = worker.sync(
        contacts=[kept, voided, make_contact(occurred_at=last_week, referrals=[])]
    ).get_json()
    assert {result["status"] for result in answer["results"]} == {"created"}
    assert (
        worker.post(
            f"/api/v1/contacts/{voided['id']}/void", json={"reason": "entered twice"}
        ).status_code
        == 200
    )
    login_as("worker").sync(contacts=[make_contact(occurred_at=this_week, referrals=[])])

    page = parse(worker.get("/field").get_data(as_text=True))

    week = [dd.text for dd in page.one(id="week-tally").find_all("dd")]
    # contacts, people, syringes given, syringes returned, referrals, incidents
    assert week == ["1", "1", "20", "15", "0", "0"]
