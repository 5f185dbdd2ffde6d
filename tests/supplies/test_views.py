"""The supplies pages as a supervisor uses them on a tablet, without JavaScript: the overview,
the six movement forms, resolving a shortfall, the running-low levels and the history."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.catalog.models import EquipmentItem, Site
from outreach.extensions import db
from outreach.limits import MAX_STOCK_QUANTITY
from outreach.supplies.models import StockEntry, StockLevel, StockMovement, StockShortfall
from outreach.supplies.vocabulary import MOVEMENT_KINDS
from tests.conftest import local_now
from tests.field.html import UNLABELLED_INPUT_TYPES, form_fields, label_of, parse

DCR, OUT, NSP = "AMS-DCR1", "AMS-OUT1", "RTM-NSP1"
NO_VALUE = "\N{EN DASH}"  # an empty cell
PAGES = ["/supplies", "/supplies/history", "/supplies/levels"] + [
    f"/supplies/new/{kind}" for kind in MOVEMENT_KINDS
]
# The optional fields each form shows (besides site, item, quantity and time).
FORM_FIELDS = {
    "received": {"lot", "expires_on", "source", "reference"},
    "transfer": {"to_site", "lot", "reference"},
    "count": {"lot", "expires_on"},
    "adjustment": {"lot", "expires_on", "reason"},
    "disposal": {"lot", "reason"},
    "handed_out": {"lot"},
}


@pytest.fixture
def supervisor(login_as):
    """A supervisor of the DCR and the street team, signed in."""
    return login_as("supervisor", sites=(DCR, OUT))


# Helpers


def page_of(response):
    return parse(response.get_data(as_text=True))


def open_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return page_of(response)


def movement_form(client, kind, site=DCR, **fields) -> dict:
    """The form of `kind` as the page shows it, with fields filled in (None leaves one empty)."""
    page = open_page(client, f"/supplies/new/{kind}?site={site}")
    form = {
        name: values[0]
        for name, values in form_fields(page.one("form", id="movement-form")).items()
    }
    form.update(item="syringe_1ml")
    for name, value in fields.items():
        form[name] = "" if value is None else str(value)
    return form


def post_movement(client, kind, form):
    return client.post(f"/supplies/new/{kind}", data=form)


def save(client, kind, site=DCR, **fields):
    """Post a movement form; it must be saved (a redirect to the overview of its site)."""
    form = movement_form(client, kind, site=site, **fields)
    response = post_movement(client, kind, form)
    assert response.status_code == 302, page_of(response).one("form", id="movement-form").text
    location = urlsplit(response.headers["Location"])
    assert location.path == "/supplies"
    assert parse_qs(location.query) == {"site": [fields.get("site", site)]}
    return form


def stock(client, site=DCR) -> dict[str, int]:
    """{item: on hand} of the items a site holds, as the API answers."""
    response = client.get("/api/v1/stock", query_string={"site": site})
    assert response.status_code == 200, response.get_json()
    return {
        item["item"]: item["on_hand"] for item in response.get_json()["items"] if item["on_hand"]
    }


def lots(client, site=DCR, item="syringe_1ml") -> list[tuple]:
    response = client.get("/api/v1/stock", query_string={"site": site})
    (held,) = [each for each in response.get_json()["items"] if each["item"] == item]
    return [(lot["lot"], lot["expires_on"], lot["quantity"]) for lot in held["lots"]]


def count_of(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


def flashes(page) -> list[str]:
    return [p.text for p in page.find_all("p") if "flash" in p.get("class", "").split()]


def error_of(page, name) -> str:
    """The message a screen reader announces for a field: tied by aria-describedby."""
    control = page.one(name=name)
    assert control.get("aria-invalid") == "true", control
    return page.one(id=control["aria-describedby"]).text


def section(page, heading_id):
    return page.one("section", aria_labelledby=heading_id)


def table_rows(element) -> list[list[str]]:
    return [
        [cell.text for cell in row.iter() if cell.tag in ("th", "td")]
        for row in element.find_all("tr")
        if row.parent.tag == "tbody"
    ]


def shortfall_at(app, site=DCR):
    with app.app_context():
        return db.session.execute(
            select(StockShortfall).join(Site).where(Site.code == site)
        ).scalar_one()


# Who reaches the pages


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("url", PAGES)
def test_a_worker_is_refused_every_page(login_as, url):
    worker = login_as("worker", sites=(DCR,))
    assert worker.get(url).status_code == 403


def test_a_worker_can_post_nothing(app, login_as, supervisor):
    save(supervisor, "handed_out", quantity=3)  # a shortfall of 3 to resolve
    shortfall = shortfall_at(app)
    form = movement_form(supervisor, "received", quantity=10)
    form.pop("csrf_token")  # the supervisor's: the worker sends their own
    worker = login_as("worker", sites=(DCR,))

    assert worker.post("/supplies/new/received", data=form).status_code == 403
    assert worker.post("/supplies/new/count", data={**form, "kind": "count"}).status_code == 403
    assert worker.post(f"/supplies/levels?site={DCR}", data={"level-swab": "5"}).status_code == 403
    assert worker.post(f"/supplies/shortfalls/{shortfall.id}/resolve").status_code == 403
    assert count_of(app, StockMovement) == 1
    assert shortfall_at(app).resolved_at is None
    assert count_of(app, StockLevel, StockLevel.running_low_at.is_not(None)) == 0


def test_the_main_navigation_offers_supplies_to_supervisors_and_admins(login_as):
    def nav_links(client):
        return [a.text for a in open_page(client, "/field").one("nav").find_all("a")]

    assert "Supplies" in nav_links(login_as("supervisor", sites=(DCR,)))
    assert "Supplies" in nav_links(login_as("admin", sites=()))
    assert "Supplies" not in nav_links(login_as("worker", sites=(DCR,)))


def test_an_unknown_kind_of_movement_is_not_found(supervisor):
    assert supervisor.get("/supplies/new/theft").status_code == 404
    assert supervisor.post("/supplies/new/theft", data={"site": DCR}).status_code == 404


def test_another_sites_supervisor_neither_sees_nor_records_for_a_site_not_theirs(
    app, login_as, supervisor
):
    save(supervisor, "received", quantity=100, lot="DCR-LOT-7")
    save(supervisor, "handed_out", item="swab", quantity=4)  # a shortfall at the DCR
    stranger = login_as("supervisor", sites=(NSP,))

    for url in [
        f"/supplies?site={DCR}",
        f"/supplies/history?site={DCR}",
        f"/supplies/levels?site={DCR}",
    ]:
        assert stranger.get(url).status_code == 403, url
    for kind in MOVEMENT_KINDS:
        assert stranger.get(f"/supplies/new/{kind}?site={DCR}").status_code == 403
    # Their own pages show nothing of the DCR.
    for url in ["/supplies", "/supplies/history", "/supplies/new/transfer"]:
        body = stranger.get(url).get_data(as_text=True)
        assert DCR not in body and "DCR-LOT-7" not in body, url

    # A form posted for the DCR all the same: refused beside the field, nothing stored.
    form = {**movement_form(stranger, "received", site=NSP, quantity=5), "site": DCR}
    response = post_movement(stranger, "received", form)
    assert response.status_code == 422
    assert error_of(page_of(response), "site") == "You do not work at this site."
    transfer = {
        **movement_form(stranger, "transfer", site=NSP, quantity=5),
        "site": DCR,
        "to_site": NSP,
    }
    assert post_movement(stranger, "transfer", transfer).status_code == 422
    levels = stranger.post(f"/supplies/levels?site={DCR}", data={"level-syringe_1ml": "5"})
    assert levels.status_code == 403
    shortfall = shortfall_at(app)
    assert stranger.post(f"/supplies/shortfalls/{shortfall.id}/resolve").status_code == 404

    assert stock(supervisor) == {"syringe_1ml": 100}
    assert count_of(app, StockMovement) == 2
    assert shortfall_at(app).resolved_at is None
    assert count_of(app, StockLevel, StockLevel.running_low_at.is_not(None)) == 0


# The movement forms


@pytest.mark.parametrize("kind", MOVEMENT_KINDS)
def test_each_form_shows_only_the_fields_its_kind_takes(supervisor, kind):
    page = open_page(supervisor, f"/supplies/new/{kind}?site={DCR}")
    form = page.one("form", id="movement-form")
    names = {control["name"] for control in form.iter() if control.get("name")}
    assert (
        names == {"csrf_token", "id", "site", "item", "quantity", "occurred_at"} | FORM_FIELDS[kind]
    )
    # Every field a person fills in has a visible label.
    for control in form.iter():
        if control.tag in ("input", "select") and control.get("type") not in UNLABELLED_INPUT_TYPES:
            assert label_of(page, control), control
    (button,) = form.find_all("button", type="submit")
    assert button.text == "Save movement"
    quantity = form.one("input", name="quantity")
    assert quantity["type"] == "number"
    assert int(quantity["max"]) == MAX_STOCK_QUANTITY
    assert int(quantity["min"]) == {"adjustment": -MAX_STOCK_QUANTITY, "count": 0}.get(kind, 1)
    # The site asked for is chosen; the time is now, in the organisation's time zone.
    assert form.one("select", name="site").one("option", selected="")["value"] == DCR
    assert form.one("input", name="occurred_at")["type"] == "datetime-local"
    assert uuid.UUID(form.one("input", name="id")["value"])


def test_the_delivery_forms_labels_are_the_ones_the_browser_tests_fill(supervisor):
    page = open_page(supervisor, "/supplies/new/received")
    labels = {
        control["name"]: label_of(page, control)
        for control in page.one("form", id="movement-form").iter()
        if control.tag in ("input", "select") and control.get("type") != "hidden"
    }
    assert labels["site"] == "Site"
    assert labels["item"] == "Item"
    assert labels["quantity"] == "Quantity"
    assert labels["lot"] == "Lot"
    assert labels["expires_on"] == "Expiry date"
    assert page.one("input", name="expires_on")["type"] == "date"
    assert "never a name" in page.text


def test_a_delivery_is_saved_with_its_lot_and_expiry(app, supervisor):
    save(
        supervisor,
        "received",
        quantity=100,
        lot="L-2031",
        expires_on="2031-03-31",
        source="purchase",
        reference="PO-4471",
    )
    page = open_page(supervisor, f"/supplies?site={DCR}")

    assert flashes(page) == ["Movement saved."]
    assert stock(supervisor) == {"syringe_1ml": 100}
    assert lots(supervisor) == [("L-2031", "2031-03-31", 100)]
    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert (movement.kind, movement.source, movement.reference) == (
            "received",
            "purchase",
            "PO-4471",
        )
    assert count_of(app, AuditEvent, AuditEvent.action == "stock_movement") == 1


@pytest.mark.parametrize(
    ("kind", "fields", "at_dcr", "at_out"),
    [
        ("transfer", {"to_site": OUT, "quantity": 30, "reference": "T-1"}, 70, 30),
        ("count", {"quantity": 90}, 90, 0),
        ("adjustment", {"quantity": -5, "reason": "lost"}, 95, 0),
        ("adjustment", {"quantity": 5, "reason": "other"}, 105, 0),
        ("disposal", {"quantity": 10, "reason": "expired"}, 90, 0),
        ("disposal", {"quantity": 10}, 90, 0),  # a disposal's reason may be left out
        ("handed_out", {"quantity": 20}, 80, 0),
    ],
)
def test_each_kind_of_movement_changes_the_books(app, supervisor, kind, fields, at_dcr, at_out):
    save(supervisor, "received", quantity=100)
    save(supervisor, kind, **fields)

    assert stock(supervisor).get("syringe_1ml", 0) == at_dcr
    assert stock(supervisor, OUT).get("syringe_1ml", 0) == at_out
    assert count_of(app, StockShortfall) == 0


def test_a_hand_out_beyond_the_books_is_saved_and_flagged(app, supervisor):
    save(supervisor, "received", quantity=5)
    save(supervisor, "handed_out", quantity=8)

    assert stock(supervisor) == {}
    shortfall = shortfall_at(app)
    assert shortfall.quantity == 3
    assert shortfall.resolved_at is None


def test_a_count_of_one_lot_sets_that_lot_right(supervisor):
    save(supervisor, "received", quantity=40, lot="A", expires_on="2031-01-31")
    save(supervisor, "received", quantity=60, lot="B", expires_on="2032-01-31")
    save(supervisor, "count", quantity=35, lot="B")

    assert lots(supervisor) == [("A", "2031-01-31", 40), ("B", "2032-01-31", 35)]


def test_the_time_typed_is_read_in_the_organisations_time_zone(app, supervisor):
    an_hour_ago = local_now(60).replace(second=0, microsecond=0)
    save(supervisor, "received", quantity=1, occurred_at=an_hour_ago.strftime("%Y-%m-%dT%H:%M"))

    with app.app_context():
        movement = db.session.execute(select(StockMovement)).scalar_one()
        assert movement.occurred_at == an_hour_ago
        assert movement.utc_offset_minutes == an_hour_ago.utcoffset() // timedelta(minutes=1)


def test_a_refused_form_keeps_what_was_typed_and_says_why(app, supervisor):
    form = movement_form(supervisor, "adjustment", quantity=0, lot="X-9", reason=None)
    response = post_movement(supervisor, "adjustment", form)

    assert response.status_code == 422
    page = page_of(response)
    assert page.one(id="form-errors")["role"] == "alert"
    assert error_of(page, "quantity") == "An adjustment changes the stock: not 0."
    assert error_of(page, "reason") == "Choose a reason."
    again = {
        name: values[0]
        for name, values in form_fields(page.one("form", id="movement-form")).items()
    }
    assert again == form  # the same id too: fixed and sent again, it is the same movement
    assert count_of(app, StockMovement) == 0
    assert count_of(app, StockEntry) == 0


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [
        ("received", {"quantity": None}, "quantity", "Missing data for required field."),
        ("received", {"quantity": "12.5"}, "quantity", "Not a valid integer."),
        ("received", {"quantity": MAX_STOCK_QUANTITY + 1}, "quantity", "Must be between"),
        ("received", {"item": None}, "item", "Missing data for required field."),
        ("received", {"item": "caviar"}, "item", "Unknown item"),
        ("received", {"expires_on": "2031-02-30", "lot": "A"}, "expires_on", "Not a valid date."),
        (
            "received",
            {"expires_on": "2031-02-28"},
            "expires_on",
            "An expiry date belongs to a lot.",
        ),
        ("received", {"occurred_at": "0001-01-01T00:00"}, "occurred_at", ""),
        ("received", {"occurred_at": "yesterday"}, "occurred_at", "Not a valid date and time"),
        ("received", {"lot": "L" * 41}, "lot", "Longer than maximum length"),
        ("transfer", {"to_site": None}, "to_site", "Choose the site the stock goes to."),
        ("transfer", {"to_site": DCR}, "to_site", "A transfer goes to another site."),
        ("transfer", {"to_site": "NOWHERE"}, "to_site", "Unknown site."),
        ("count", {"quantity": -1}, "quantity", "A count is 0 or more."),
        ("disposal", {"quantity": 5, "reason": "lost"}, "reason", "Choose a reason from the list."),
        ("handed_out", {"quantity": 0}, "quantity", "At least 1."),
    ],
)
def test_bad_values_are_refused_beside_their_field_never_a_500(
    app, supervisor, kind, fields, field, message
):
    form = movement_form(supervisor, kind, **{"quantity": 5, **fields})
    response = post_movement(supervisor, kind, form)

    assert response.status_code == 422
    page = page_of(response)
    assert message in error_of(page, field)
    assert count_of(app, StockMovement) == 0


def test_a_movement_taking_more_than_a_lot_holds_is_refused(app, supervisor):
    save(supervisor, "received", quantity=10, lot="A", expires_on="2031-01-31")
    form = movement_form(supervisor, "disposal", quantity=11, lot="A")
    response = post_movement(supervisor, "disposal", form)

    assert response.status_code == 422
    assert page_of(response).one(id="form-errors")
    assert stock(supervisor) == {"syringe_1ml": 10}
    assert count_of(app, StockMovement) == 1


def test_a_form_posted_twice_is_one_movement(app, supervisor):
    form = save(supervisor, "received", quantity=100)
    open_page(supervisor, "/supplies")  # the first flash is shown and gone
    response = post_movement(supervisor, "received", form)

    assert response.status_code == 302
    assert flashes(open_page(supervisor, "/supplies")) == ["This movement was already saved."]
    assert stock(supervisor) == {"syringe_1ml": 100}
    assert count_of(app, StockMovement) == 1

    # The same id with other content is a conflict, said on the form.
    response = post_movement(supervisor, "received", {**form, "quantity": "7"})
    assert response.status_code == 422
    assert "already stored" in page_of(response).one(id="form-errors").text
    assert stock(supervisor) == {"syringe_1ml": 100}


def test_an_admin_records_at_any_site(login_as):
    admin = login_as("admin", sites=())
    save(admin, "received", site=NSP, quantity=12)
    assert stock(admin, NSP) == {"syringe_1ml": 12}


# The overview


def test_the_overview_shows_what_runs_low_expires_and_went_short(app, supervisor):
    app.config["OUTREACH_EXPIRY_WARNING_DAYS"] = 30  # the organisation set no other
    soon = (local_now() + timedelta(days=10)).date().isoformat()
    later = (local_now() + timedelta(days=40)).date().isoformat()
    gone = (local_now() - timedelta(days=3)).date().isoformat()
    save(supervisor, "received", quantity=30, lot="SOON", expires_on=soon)
    save(supervisor, "received", quantity=5, lot="GONE", expires_on=gone)
    save(supervisor, "received", item="swab", quantity=500, lot="LATER", expires_on=later)
    save(supervisor, "handed_out", item="needle", quantity=7)  # nothing held: a shortfall
    response = supervisor.post(f"/supplies/levels?site={DCR}", data={"level-syringe_1ml": "40"})
    assert response.status_code == 302

    page = open_page(supervisor, f"/supplies?site={DCR}")

    headings = [h.text for h in page.find_all("h2")]
    assert headings == [
        "Running low",
        "Expiring within 30 days",
        "Open shortfalls",
        "Record a movement",
        "Stock",
    ]
    assert table_rows(section(page, "low-heading")) == [["Syringe 1 ml", "35", "40"]]
    expiring = table_rows(section(page, "expiring-heading"))
    assert [row[1] for row in expiring] == ["GONE", "SOON"]  # soonest first; not LATER
    assert "Expired" in expiring[0][2] and "Expired" not in expiring[1][2]
    (shortfall,) = table_rows(section(page, "shortfalls-heading"))
    assert shortfall[1:4] == ["Needle", "7", "a bulk hand-out"]
    assert "hand-out beyond the books" in section(page, "shortfalls-heading").text
    stock_rows = {row[0]: row for row in table_rows(section(page, "stock-heading"))}
    assert stock_rows["Syringe 1 ml"][1] == "35"
    assert stock_rows["Syringe 1 ml"][3:] == ["40", "Low"]
    assert "SOON" in stock_rows["Syringe 1 ml"][2] and "GONE" in stock_rows["Syringe 1 ml"][2]
    assert stock_rows["Alcohol swab"][4] == ""
    # Every region that scrolls sideways is named by its heading and reachable by keyboard.
    for region in page.find_all("div", role="region"):
        assert region["tabindex"] == "0"
        assert page.one(id=region["aria-labelledby"])


def test_the_overview_links_the_six_forms_the_history_and_the_levels(supervisor):
    page = open_page(supervisor, f"/supplies?site={OUT}")
    links = {a.text: a["href"] for a in section(page, "record-heading").find_all("a")}

    for kind, label in MOVEMENT_KINDS.items():
        assert links[str(label)] == f"/supplies/new/{kind}?site={OUT}"
    assert links["History of movements"] == f"/supplies/history?site={OUT}"
    assert links["Running-low levels"] == f"/supplies/levels?site={OUT}"
    assert "A count sets the books right" in section(page, "record-heading").text


def test_the_overview_of_all_sites_and_of_one(supervisor):
    save(supervisor, "received", quantity=10)
    save(supervisor, "received", site=OUT, quantity=20)

    every = open_page(supervisor, "/supplies")
    assert [h.text for h in every.find_all("h3")] == [
        "DCR Amsterdam (AMS-DCR1)",
        "Street team (AMS-OUT1)",
    ]
    chooser = every.one("select", name="site")
    assert [option["value"] for option in chooser.find_all("option")] == ["", DCR, OUT]
    one = open_page(supervisor, f"/supplies?site={OUT}")
    assert [h.text for h in one.find_all("h3")] == ["Street team (AMS-OUT1)"]
    # With several sites, each row of what runs low names its site.
    supervisor.post(f"/supplies/levels?site={OUT}", data={"level-syringe_1ml": "50"})
    every = open_page(supervisor, "/supplies")
    low = table_rows(section(every, "low-heading"))
    assert low == [["Street team", "Syringe 1 ml", "20", "50"]]


@pytest.mark.parametrize("url", ["/supplies", "/supplies/levels", "/supplies/new/count"])
@pytest.mark.parametrize("site", ["NOWHERE", "AMS%00DCR1", "X" * 41])
def test_a_bad_site_in_the_address_is_refused_without_a_500(supervisor, url, site):
    assert supervisor.get(f"{url}?site={site}").status_code == 422


def test_resolving_a_shortfall_closes_it_and_is_audited(app, supervisor):
    save(supervisor, "handed_out", quantity=6)
    page = open_page(supervisor, f"/supplies?site={DCR}")
    (form,) = section(page, "shortfalls-heading").find_all("form")
    assert form.one("button").text == "Resolve"
    data = {name: values[0] for name, values in form_fields(form).items()}

    response = supervisor.client.post(form["action"], data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/supplies?site={DCR}"
    page = open_page(supervisor, f"/supplies?site={DCR}")
    assert flashes(page) == ["Shortfall resolved."]
    assert "No open shortfalls." in section(page, "shortfalls-heading").text
    shortfall = shortfall_at(app)
    assert shortfall.resolved_at is not None
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "shortfall_resolved")
        ).scalar_one()
        assert event.target == str(shortfall.id)
    # Resolving it again changes nothing; an unknown one is not found.
    assert supervisor.post(form["action"]).status_code == 302
    assert count_of(app, AuditEvent, AuditEvent.action == "shortfall_resolved") == 1
    assert supervisor.post("/supplies/shortfalls/999999/resolve").status_code == 404


# Running-low levels


def levels_of(app, site=DCR) -> dict[str, int | None]:
    with app.app_context():
        rows = db.session.execute(
            select(EquipmentItem.code, StockLevel.running_low_at)
            .join(StockLevel, StockLevel.item_id == EquipmentItem.id)
            .join(Site, Site.id == StockLevel.site_id)
            .where(Site.code == site)
        )
        return {code: level for code, level in rows if level is not None}


def test_levels_are_saved_audited_and_cleared(app, supervisor):
    page = open_page(supervisor, f"/supplies/levels?site={OUT}")
    form = page.one("form", id="levels-form")
    fields = {name: values[0] for name, values in form_fields(form).items()}
    assert label_of(page, form.one("input", name="level-syringe_1ml")) == "Syringe 1 ml"
    fields.update({"level-syringe_1ml": "50", "level-naloxone_kit": "0"})

    response = supervisor.client.post(form["action"], data=fields)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/supplies?site={OUT}"
    assert levels_of(app, OUT) == {"syringe_1ml": 50, "naloxone_kit": 0}
    assert levels_of(app, DCR) == {}
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "stock_levels_changed")
        ).scalar_one()
        assert event.target == OUT
    # Shown again as they are; emptied, a level is gone.
    page = open_page(supervisor, f"/supplies/levels?site={OUT}")
    assert page.one("input", name="level-syringe_1ml")["value"] == "50"
    fields["level-syringe_1ml"] = ""
    assert supervisor.client.post(form["action"], data=fields).status_code == 302
    assert levels_of(app, OUT) == {"naloxone_kit": 0}


def test_levels_default_to_the_users_first_site(supervisor):
    page = open_page(supervisor, "/supplies/levels")
    assert page.one("form", id="levels-form")["action"] == f"/supplies/levels?site={DCR}"


@pytest.mark.parametrize("typed", ["-1", "ten", "2.5", str(MAX_STOCK_QUANTITY + 1)])
def test_a_bad_level_is_refused_with_its_message_and_nothing_changes(app, supervisor, typed):
    response = supervisor.post(
        f"/supplies/levels?site={DCR}", data={"level-swab": "20", "level-syringe_1ml": typed}
    )

    assert response.status_code == 422
    page = page_of(response)
    assert error_of(page, "level-syringe_1ml")
    assert page.one("input", name="level-syringe_1ml")["value"] == typed
    assert page.one("input", name="level-swab")["value"] == "20"
    assert levels_of(app) == {}
    assert count_of(app, AuditEvent, AuditEvent.action == "stock_levels_changed") == 0


# History


def test_history_filters_and_pages_newest_first(app, supervisor):
    for minutes in range(55):
        save(
            supervisor,
            "received",
            quantity=minutes + 1,
            occurred_at=local_now(60 + minutes).strftime("%Y-%m-%dT%H:%M"),
        )
    save(supervisor, "count", quantity=40)
    save(supervisor, "transfer", to_site=OUT, quantity=15, item="syringe_1ml")

    page = open_page(supervisor, "/supplies/history")
    rows = table_rows(page.one("table"))
    assert len(rows) == 50
    # Newest first: the transfer's two lines, then the count's, then the latest delivery.
    assert [row[3] for row in rows[:3]] == ["Transfer", "Transfer", "Count"]
    assert rows[3][3:6] == ["Delivery received", NO_VALUE, "+1"]
    transfer_out = next(row for row in rows[:2] if row[1] == "DCR Amsterdam")
    assert transfer_out[5:7] == ["-15", "Street team"]
    assert rows[2][7] == "40"  # what was counted
    assert rows[3][9] == supervisor.username

    older = page.one("a", rel="next")["href"]
    second = open_page(supervisor, older)
    assert len(table_rows(second.one("table"))) == 58 - 50
    assert second.one("a", rel="prev")

    counted = open_page(supervisor, f"/supplies/history?site={DCR}&kind=count")
    assert [row[3] for row in table_rows(counted.one("table"))] == ["Count"]
    deliveries = open_page(supervisor, "/supplies/history?kind=received&item=syringe_1ml")
    assert "page=2" in deliveries.one("a", rel="next")["href"]
    assert "kind=received" in deliveries.one("a", rel="next")["href"]
    assert "item=syringe_1ml" in deliveries.one("a", rel="next")["href"]
    at_out = open_page(supervisor, f"/supplies/history?site={OUT}")
    assert [row[5] for row in table_rows(at_out.one("table"))] == ["+15"]
    tomorrow = (local_now() + timedelta(days=1)).date().isoformat()
    assert "No movements." in open_page(supervisor, f"/supplies/history?from={tomorrow}").text
    today = local_now().date().isoformat()
    assert open_page(supervisor, f"/supplies/history?to={today}").one("a", rel="next")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2031-02-30", "to"),
        ("from=0001-01-01", "from"),
        ("kind=theft", "kind"),
        ("site=NOWHERE", "site"),
        ("item=" + "x" * 41, "item"),
        ("page=0", None),
        ("page=many", None),
    ],
)
def test_bad_history_filters_answer_422_with_the_form_never_500(supervisor, query, field):
    response = supervisor.get(f"/supplies/history?{query}")

    assert response.status_code == 422
    page = page_of(response)
    assert page.one("form", role=None).get("method") == "get"
    if field:
        assert error_of(page, field)
    else:
        assert page.one("div", class_="form-error")
    assert page.find("table") is None
