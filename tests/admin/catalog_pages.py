"""Helpers of the catalog administration tests: fill in and post a page's form as a browser
would, read what it answers, and look at the database and the audit log."""

from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from tests.field.html import form_fields, parse

SITES = "/admin/sites"
EQUIPMENT = "/admin/equipment"
REFERRAL_TYPES = "/admin/referral-types"
FIELD_PAGES = ["/field", "/field/contacts/new", "/field/incidents/new", "/field/referrals"]
LONG = "x" * 121  # a name one character too long


def page_form(client, path) -> dict[str, list[str]]:
    """What a browser posts for the form at `path` as it comes, hidden token included."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return form_fields(parse(response.get_data(as_text=True)).one("form", method="post"))


def submit(client, path, **changes):
    """The form at `path` as the page fills it, with `changes` typed in (`None` unticks a box
    or empties a field; names with dots are passed as `**{"a.b": ...}`)."""
    data = page_form(client, path)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [str(value)]
    return client.post(path, data=data)


def saved(response, to):
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"].endswith(to)


def refused(response):
    """The page of a refused form: 422, an alert saying nothing was saved."""
    assert response.status_code == 422, response.status_code
    page = parse(response.get_data(as_text=True))
    assert "Nothing was saved" in page.one(role="alert").text
    return page


def error_on(page, name) -> str:
    """The message tied to the control or fieldset `name` by aria-describedby."""
    control = page.find(name=name)
    if control is not None:
        assert control.get("aria-invalid") == "true", control
    else:  # a pack's own message sits on its fieldset
        error_id = f"{name.replace('.', '-')}-error"
        control = next(
            element
            for element in page.find_all("fieldset")
            if error_id in element.get("aria-describedby", "").split()
        )
    ids = control["aria-describedby"].split()
    return " ".join(page.one(id=element_id).text for element_id in ids)


def audit(app, action=None) -> list[tuple[str, str, str]]:
    """(actor, target, detail) of the audit events, oldest first."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return [
            (event.actor_name, event.target, event.detail)
            for event in db.session.execute(query).scalars()
        ]


def row(app, model, code):
    with app.app_context():
        found = db.session.execute(select(model).where(model.code == code)).scalar_one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def catalog(api) -> dict:
    response = api.get("/api/v1/catalog")
    assert response.status_code == 200
    return response.get_json()


def codes(entries) -> list[str]:
    return [entry["code"] for entry in entries]


def table(client, path) -> dict[str, list[str]]:
    """The list page's rows by their header cell (the code)."""
    page = parse(client.get(path).get_data(as_text=True))
    return {
        tr.find("th").text: [td.text for td in tr.find_all("td")]
        for tr in page.find("tbody").find_all("tr")
    }


def set_active(app, model, code, active):
    with app.app_context():
        db.session.execute(select(model).where(model.code == code)).scalar_one().active = active
        db.session.commit()
