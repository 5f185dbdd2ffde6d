"""Query arguments of the reports and exports."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from outreach.fields import Text
from outreach.timekeeping import months_between

# Years 1900-2099: beyond them the month's bounds (and the dashboard's year back) leave what
# Python's dates can hold.
MONTH = validate.Regexp(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", error=_l("A month is written YYYY-MM."))
MAX_EXPORT_MONTHS = 36


def month_field(**kwargs) -> fields.String:
    return fields.String(validate=MONTH, **kwargs)


class ReportArgs(Schema):
    month = month_field(load_default=None)
    site = fields.List(Text(validate=validate.Length(1, 40)), load_default=list)


class ExportArgs(Schema):
    from_ = month_field(data_key="from", required=True)
    to = month_field(required=True)
    site = fields.List(Text(validate=validate.Length(1, 40)), load_default=list)
    suppress = fields.Boolean(load_default=True)

    @validates_schema
    def check_range(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError(str(_l("The last month comes before the first.")), "to")
        if len(months_between(data["from_"], data["to"])) > MAX_EXPORT_MONTHS:
            raise ValidationError(
                str(_l("At most {n} months at a time.")).format(n=MAX_EXPORT_MONTHS), "to"
            )


class MonthlyReportOut(Schema):
    month = fields.String()
    sites = fields.List(fields.String())
    values = fields.Dict(
        metadata={"description": "values[site or ALL][indicator][breakdown] = number"}
    )
