"""Query arguments of the reports (the exports' use the same month and site fields), and the
report's answer."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from outreach.errors import InvalidInput
from outreach.fields import Text
from outreach.limits import FIRST_REPORT_YEAR, LAST_REPORT_YEAR

# Years 1900-2099: beyond them the month's bounds (and the dashboard's year back) leave what
# Python's dates can hold.
MONTH = validate.Regexp(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", error=_l("A month is written YYYY-MM."))


def month_field(**kwargs) -> fields.String:
    return fields.String(validate=MONTH, **kwargs)


def sites_field() -> fields.List:
    """Site codes, `site` repeated; none means every site of the user's."""
    return fields.List(Text(validate=validate.Length(1, 40)), load_default=list)


def load_query(schema: Schema, args) -> dict:
    """A page's query arguments (a MultiDict, `site` repeated), loaded; bad ones raise
    InvalidInput, which answers a 422 page."""
    data = {key: args.getlist(key) if key == "site" else value for key, value in args.items()}
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput(errors=exc.messages) from exc


class ReportArgs(Schema):
    month = month_field(load_default=None)
    site = sites_field()


class YearArgs(Schema):
    year = fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(
            FIRST_REPORT_YEAR, LAST_REPORT_YEAR, error=_l("A year is between 1900 and 2099.")
        ),
        error_messages={
            "required": _l("Give a year, written YYYY."),
            "invalid": _l("A year is written YYYY."),
        },
    )
    site = sites_field()


REPORT_VALUES = {
    "description": "values[site or ALL][indicator][breakdown] = number; the total over the "
    'indicator\'s breakdowns has the breakdown ""; zeros are left out.'
}


class MonthlyReportOut(Schema):
    month = fields.String(metadata={"example": "2026-10"})
    sites = fields.List(fields.String())
    values = fields.Dict(metadata=REPORT_VALUES)


class AnnualReportOut(Schema):
    year = fields.Integer(metadata={"example": 2026})
    sites = fields.List(fields.String(), metadata={"description": "The sites' codes."})
    values = fields.Dict(metadata=REPORT_VALUES)
