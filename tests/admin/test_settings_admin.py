"""`/admin/settings`: an admin sets the time zone, suppression threshold, retention and default
language; a stored setting wins over the configuration, which stays the default; every change
is audited; a new time zone recounts the monthly roll-ups; reading settings costs one query."""

import csv
import io
import re
from contextlib import contextmanager
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from outreach.audit.models import AuditEvent
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.retention.service import purge
from outreach.settings import (
    PURGED_BEFORE,
    Setting,
    default_language,
    expiry_warning_days,
    retention_months,
    set_setting,
    suppression_threshold,
    time_zone,
)
from outreach.timekeeping import month_of, now, shift_month
from tests.auth.conftest import csrf_token_in
from tests.conftest import PASSWORD, ApiClient, local_now
from tests.field.html import form_fields, parse
from tests.reports.hand_worked import built
from tests.reports.test_rollups import snapshot

DCR = "AMS-DCR1"


def sign_in(app, username):
    """A test client signed in through the form, sending no Accept-Language."""
    client = app.test_client()
    token = csrf_token_in(client.get("/login"))
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def admin(app, make_user):
    return sign_in(app, make_user("admin", sites=(), username="boss"))


def settings_form(client) -> dict[str, str]:
    """What the settings form posts untouched, its CSRF token included."""
    response = client.get("/admin/settings")
    assert response.status_code == 200
    form = parse(response.get_data(as_text=True)).one("form", method="post")
    return {name: values[0] for name, values in form_fields(form).items()}


def save(client, **changes):
    return client.post("/admin/settings", data={**settings_form(client), **changes})


def stored(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Setting.key, Setting.value)).all())


def settings_events(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return db.session.execute(
            select(AuditEvent.actor_name, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action == "settings_changed")
            .order_by(AuditEvent.id)
        ).all()


def test_the_configuration_gives_every_setting_while_none_is_stored(app, admin):
    app.config.update(
        OUTREACH_TIMEZONE="Europe/Lisbon",
        OUTREACH_SUPPRESSION_THRESHOLD=7,
        OUTREACH_RETENTION_MONTHS=18,
        OUTREACH_EXPIRY_WARNING_DAYS=45,
        BABEL_DEFAULT_LOCALE="en",
    )
    with app.app_context():
        assert time_zone() == "Europe/Lisbon"
        assert suppression_threshold() == 7
        assert retention_months() == 18
        assert expiry_warning_days() == 45
        assert default_language() == "en"

    form = settings_form(admin)

    assert form["time_zone"] == "Europe/Lisbon"
    assert form["suppression_threshold"] == "7"
    assert form["retention_months"] == "18"
    assert form["expiry_warning_days"] == "45"
    assert form["default_language"] == "en"
    assert stored(app) == {}


def test_stored_settings_win_over_the_configuration(app, admin):
    with app.app_context():
        set_setting("time_zone", "Europe/Brussels")
        set_setting("suppression_threshold", "5")
        set_setting("retention_months", "36")
        set_setting("default_language", "nl")
        db.session.commit()
    with app.app_context():  # a command, or a script
        assert time_zone() == "Europe/Brussels"
        assert suppression_threshold() == 5
        assert retention_months() == 36
        assert default_language() == "nl"

    form = settings_form(admin)

    assert form["time_zone"] == "Europe/Brussels"
    assert form["suppression_threshold"] == "5"
    assert form["retention_months"] == "36"
    assert form["default_language"] == "nl"


def test_saving_stores_what_changed_and_audits_each_change(app, admin):
    response = save(
        admin, suppression_threshold="5", retention_months="12", expiry_warning_days="90"
    )

    assert response.status_code == 302
    assert "The settings are saved." in admin.get("/admin/settings").get_data(as_text=True)
    assert stored(app) == {
        "suppression_threshold": "5",
        "retention_months": "12",
        "expiry_warning_days": "90",
    }
    assert settings_events(app) == [
        ("boss", "settings", "suppression threshold: 10 → 5"),
        ("boss", "settings", "retention months: 24 → 12"),
        ("boss", "settings", "expiry warning days: 60 → 90"),
    ]

    save(admin)  # the same values again

    assert "Nothing was changed." in admin.get("/admin/settings").get_data(as_text=True)
    assert len(settings_events(app)) == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Choose a time zone from the list."),
        ("time_zone", "US/Eastern", "Choose a time zone from the list."),  # an old alias
        ("time_zone", "", "Choose a time zone from the list."),
        ("suppression_threshold", "1", "Enter a whole number from 2 to 100."),
        ("suppression_threshold", "101", "Enter a whole number from 2 to 100."),
        ("suppression_threshold", "ten", "Enter a whole number from 2 to 100."),
        ("suppression_threshold", "5.5", "Enter a whole number from 2 to 100."),
        ("suppression_threshold", "", "Enter a whole number from 2 to 100."),
        ("suppression_threshold", "9" * 400, "Enter a whole number from 2 to 100."),
        ("retention_months", "0", "Enter a whole number from 1 to 120."),
        ("retention_months", "121", "Enter a whole number from 1 to 120."),
        ("retention_months", "-3", "Enter a whole number from 1 to 120."),
        ("expiry_warning_days", "0", "Enter a whole number from 1 to 365."),
        ("expiry_warning_days", "366", "Enter a whole number from 1 to 365."),
        ("default_language", "fr", "Choose a language from the list."),
        ("default_language", "\x00", "Choose a language from the list."),
    ],
)
def test_an_invalid_value_is_refused_with_a_message_at_its_field(app, admin, field, value, message):
    # With a valid change beside it, which is not saved either.
    response = save(admin, **{"suppression_threshold": "5", field: value})

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    control = page.one(id=f"f-{field}")
    assert control["aria-invalid"] == "true"
    assert page.one(id=control["aria-describedby"]).text == message
    assert "Nothing was saved" in page.one(id="form-errors").text
    assert stored(app) == {}
    assert settings_events(app) == []


def test_a_form_without_its_fields_is_refused_not_an_error(app, admin):
    token = settings_form(admin)["csrf_token"]

    response = admin.post("/admin/settings", data={"csrf_token": token})

    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    for field in (
        "time_zone",
        "suppression_threshold",
        "retention_months",
        "expiry_warning_days",
        "default_language",
    ):
        assert page.one(id=f"f-{field}")["aria-invalid"] == "true"
    assert stored(app) == {}


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_only_admins_see_or_change_the_settings(app, make_user, role):
    client = sign_in(app, make_user(role, sites=(DCR,)))
    token = csrf_token_in(client.get("/field"))

    assert client.get("/admin/settings").status_code == 403
    response = client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "time_zone": "UTC",
            "suppression_threshold": "2",
            "retention_months": "1",
            "default_language": "en",
        },
    )

    assert response.status_code == 403
    assert stored(app) == {}
    assert 'href="/admin/settings"' not in client.get("/field").get_data(as_text=True)
    assert urlsplit(app.test_client().get("/admin/settings").location).path == "/login"


def test_the_page_says_when_records_were_last_purged(app, admin):
    assert "No records have been purged yet." in admin.get("/admin/settings").get_data(as_text=True)
    with app.app_context():
        set_setting(PURGED_BEFORE, "2025-10")
        db.session.commit()

    page = admin.get("/admin/settings").get_data(as_text=True)

    assert "Records were last purged before October 2025." in page
    assert "Months before October 2025 were purged" in page


def report_values(app, months, codes=(DCR,)) -> dict:
    """{(month, site, indicator, breakdown): value} of the monthly report, non-zero values."""
    with app.test_request_context():
        sites = list(db.session.execute(select(Site).where(Site.code.in_(codes))).scalars())
        return {key: value for key, value in monthly_report(months, sites).values.items() if value}


def rollups_equal_a_rebuild(app) -> None:
    kept = snapshot(app)
    with app.app_context():
        rollups.rebuild()
        db.session.commit()
    assert snapshot(app) == kept


def test_a_new_time_zone_moves_a_record_at_a_month_end_into_the_other_month(app, admin, make_user):
    make_user("worker", (DCR,), username="night-worker")
    with built(app) as b:
        worker = b.user("night-worker")
        b.client("ANNA", "f", 1990)
        # 23:30 UTC on 31 October: 00:30 on 1 November in Amsterdam, 23:30 on 31 October in
        # London.
        b.contact("2025-10-31T23:30", DCR, "dcr_visit", by=worker, client="ANNA", route="inject")
        b.contact("2025-10-15T12:00", DCR, "dcr_visit", by=worker, route="smoke")
        b.incident("2025-10-31T23:15", DCR, "opioid_overdose", "hospital", 1, by=worker)
    months = ["2025-10", "2025-11"]
    before = report_values(app, months)
    assert before[("2025-10", DCR, "contacts", "")] == 1
    assert before[("2025-11", DCR, "contacts", "")] == 1
    assert before[("2025-11", DCR, "unique_clients", "")] == 1
    assert before[("2025-11", DCR, "incidents", "")] == 1

    response = save(admin, time_zone="Europe/London")

    assert response.status_code == 302
    after = report_values(app, months)
    assert after[("2025-10", DCR, "contacts", "")] == 2
    assert after[("2025-10", DCR, "unique_clients", "")] == 1
    assert after[("2025-10", DCR, "dcr_visits", "inject")] == 1
    assert after[("2025-10", DCR, "incidents", "")] == 1
    assert not any(key[0] == "2025-11" for key in after)
    with app.test_request_context():
        sites = list(db.session.execute(select(Site)).scalars())
        direct = direct_report(months, sites).values
        kept = monthly_report(months, sites).values
        assert {k: v for k, v in kept.items() if v} == {k: v for k, v in direct.items() if v}
    rollups_equal_a_rebuild(app)
    assert settings_events(app) == [
        ("boss", "settings", "time zone: Europe/Amsterdam → Europe/London")
    ]
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "counted in the new time zone" in page
    # Times are shown in the new zone too: the audit entry's hour is London's.
    audit = parse(admin.get("/admin/audit").get_data(as_text=True))
    with app.app_context():
        # The page's first row: the newest event.
        when = (
            db.session.execute(
                select(AuditEvent.occurred_at).order_by(
                    AuditEvent.occurred_at.desc(), AuditEvent.id.desc()
                )
            )
            .scalars()
            .first()
        )
    shown = re.search(r"\b(\d{1,2}):(\d{2}):(\d{2})\b", audit.find("td").text)
    london = when.astimezone(ZoneInfo("Europe/London"))
    assert shown.groups() == (str(london.hour % 12 or 12), f"{london:%M}", f"{london:%S}")


def test_purged_months_keep_their_figures_and_records_at_the_cut_move_with_the_zone(
    app, admin, make_user
):
    make_user("worker", (DCR,), username="night-worker")
    with built(app) as b:
        worker = b.user("night-worker")
        b.client("BERT", "m", 2001)
        b.contact("2025-09-15T12:00", DCR, "dcr_visit", by=worker, route="inject")
        # 22:30 UTC on 30 September: 00:30 on 1 October in Amsterdam, 23:30 on 30 September
        # in London.
        b.contact("2025-09-30T22:30", DCR, "dcr_visit", by=worker, client="BERT", route="smoke")
        b.contact("2025-10-10T12:00", DCR, "dcr_visit", by=worker, route="inject")
    with app.test_request_context():
        purge("2025-10")  # in Amsterdam: records before 22:00 UTC on 30 September go
        db.session.commit()
    months = ["2025-09", "2025-10"]

    def contacts():
        values = report_values(app, months)
        return [values.get((month, DCR, "contacts", ""), 0) for month in months]

    assert contacts() == [1, 2]

    # West: the record at 22:30 UTC now belongs to September, whose records were purged.
    save(admin, time_zone="Europe/London")

    assert contacts() == [2, 1]
    assert report_values(app, ["2025-09"])[("2025-09", DCR, "unique_clients", "")] == 1
    assert report_values(app, ["2025-10"]).get(("2025-10", DCR, "unique_clients", "")) is None

    # East, back again: it leaves September for October.
    save(admin, time_zone="Europe/Amsterdam")

    assert contacts() == [1, 2]
    assert report_values(app, ["2025-09"]).get(("2025-09", DCR, "unique_clients", "")) is None
    assert report_values(app, ["2025-10"])[("2025-10", DCR, "unique_clients", "")] == 1
    rollups_equal_a_rebuild(app)


def export_cell(supervisor, month, indicator="contacts") -> str:
    response = supervisor.get(
        "/api/v1/exports/monthly.csv",
        query_string={"from": month, "to": month, "site": DCR, "suppress": "true"},
    )
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    return next(
        row["value"]
        for row in rows
        if (row["site"], row["indicator"], row["breakdown"]) == (DCR, indicator, "")
    )


def test_a_new_threshold_changes_what_an_export_hides(app, admin, make_user, login_as):
    make_user("worker", (DCR,), username="day-worker")
    with built(app) as b:
        worker = b.user("day-worker")
        for day in range(1, 8):
            b.contact(f"2025-08-{day:02d}T12:00", DCR, "dcr_visit", by=worker)
    supervisor = login_as("supervisor", sites=(DCR,))
    assert export_cell(supervisor, "2025-08") == "<10"

    save(admin, suppression_threshold="5")

    assert export_cell(supervisor, "2025-08") == "7"
    page = supervisor.get("/reports/export").get_data(as_text=True)
    assert "Counts of people from 1 to 4 are shown as <5" in page

    save(admin, suppression_threshold="8")

    assert export_cell(supervisor, "2025-08") == "<8"
    with app.app_context():
        details = db.session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "export")
        ).scalars()
        assert [detail.split("suppressed=")[1] for detail in details] == ["<10", "<5", "<8"]


def test_the_default_language_is_for_users_without_a_choice_and_without_a_browser_language(
    app, admin, make_user
):
    worker = sign_in(app, make_user("worker", sites=(DCR,)))
    chooser = sign_in(app, make_user("worker", sites=(DCR,)))
    token = csrf_token_in(chooser.get("/field"))
    chooser.post("/account/language", data={"csrf_token": token, "language": "en"})
    english_browser = sign_in(app, make_user("worker", sites=(DCR,)))

    def language(client, **headers):
        page = parse(client.get("/field", headers=headers).get_data(as_text=True))
        return page.one("html")["lang"], page.one("a", href="/logout").text

    assert language(worker) == ("en", "Sign out")

    save(admin, default_language="nl")

    assert language(worker) == ("nl", "Uitloggen")
    assert language(chooser) == ("en", "Sign out")
    assert language(english_browser, **{"Accept-Language": "en-GB"}) == ("en", "Sign out")
    # The admin, who chose nothing either, reads the answer to the change in Dutch already.
    assert parse(admin.get("/admin/settings").get_data(as_text=True)).one("html")["lang"] == "nl"
    assert settings_events(app) == [("boss", "settings", "default language: en → nl")]


@contextmanager
def settings_queries(app):
    """The statements that read the settings table, while the block runs."""
    with app.app_context():
        engine = db.engine
    statements = []

    def seen(_connection, _cursor, statement, *_args):
        if "from settings" in " ".join(statement.lower().split()):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_sync_of_a_batch_reads_the_settings_once(app, make_user, make_contact, make_incident):
    with app.app_context():
        set_setting("time_zone", "Europe/London")
        db.session.commit()
    worker = ApiClient(app.test_client(), make_user("worker", sites=(DCR,)))
    contacts = [
        make_contact(occurred_at=local_now(minutes).isoformat(), referrals=[])
        for minutes in range(5, 60 * 24 * 80, 60 * 24 * 80 // 300)
    ]
    incidents = [make_incident(occurred_at=local_now(m).isoformat()) for m in (30, 9000, 90000)]

    with settings_queries(app) as statements:
        response = worker.sync(contacts=contacts, incidents=incidents)

    assert response.status_code == 200
    assert {result["status"] for result in response.get_json()["results"]} == {"created"}
    assert len(statements) == 1
    rollups_equal_a_rebuild(app)


@pytest.mark.parametrize(
    "path", ["/field", "/field/contacts/new", "/reports", "/reports/export", "/admin/audit"]
)
def test_a_page_reads_the_settings_once(app, admin, path):
    with app.app_context():
        set_setting("time_zone", "Europe/London")
        set_setting("default_language", "en")
        db.session.commit()

    with settings_queries(app) as statements:
        response = admin.get(path)

    assert response.status_code == 200
    assert len(statements) == 1


def test_a_change_is_seen_at_once_and_dropped_with_a_rollback(app):
    with app.app_context(), settings_queries(app) as statements:
        assert time_zone() == "Europe/Amsterdam"
        set_setting("time_zone", "Asia/Tokyo")
        assert time_zone() == "Asia/Tokyo"
        assert month_of(now()) == f"{now().astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m}"
        db.session.rollback()
        assert time_zone() == "Europe/Amsterdam"
        assert suppression_threshold() == 10
    # Read once, looked up by set_setting, read again after the rollback.
    assert len(statements) == 3
    assert stored(app) == {}


def test_flask_purge_keeps_the_stored_retention(app):
    with app.app_context():
        set_setting("retention_months", "3")
        db.session.commit()
        expected = shift_month(month_of(now()), -3)

    result = app.test_cli_runner().invoke(args=["purge", "--yes"])

    assert result.exit_code == 0, result.output
    assert f"Purged before {expected}" in result.output


def test_the_error_page_shows_in_the_configured_language_when_the_database_is_down(
    app, client, monkeypatch
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production: the error page

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)

    response = client.get("/login")

    assert response.status_code == 500
    page = parse(response.get_data(as_text=True))
    assert page.one("html")["lang"] == "en"
    assert "Something went wrong on the server." in page.one("main").text
