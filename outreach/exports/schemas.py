"""Query arguments of the monthly exports."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validates_schema

from outreach.reports.schemas import month_field, sites_field
from outreach.timekeeping import months_between

MAX_EXPORT_MONTHS = 36


class ExportArgs(Schema):
    from_ = month_field(data_key="from", required=True)
    to = month_field(required=True)
    site = sites_field()
    suppress = fields.Boolean(load_default=True)

    @validates_schema
    def check_range(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError(str(_l("The last month comes before the first.")), "to")
        if len(months_between(data["from_"], data["to"])) > MAX_EXPORT_MONTHS:
            raise ValidationError(
                str(_l("At most {n} months at a time.")).format(n=MAX_EXPORT_MONTHS), "to"
            )
