"""Query arguments of the exports: some months, or a year. The OpenAPI document says what they
check: the patterns, ranges and lengths are validators it reads; the rules across fields are
in the fields' descriptions."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validates_schema

from outreach.reports.schemas import YearArgs, month_field, sites_field
from outreach.timekeeping import months_between

MAX_EXPORT_MONTHS = 36


def suppress_field() -> fields.Boolean:
    return fields.Boolean(
        load_default=True,
        metadata={
            "description": "Hide small counts of people (and a second count wherever a hidden "
            "one could be worked out from a total), for use outside the organisation."
        },
    )


class ExportArgs(Schema):
    from_ = month_field(
        data_key="from", required=True, metadata={"description": "The first month, YYYY-MM."}
    )
    to = month_field(
        required=True,
        metadata={
            "description": "The last month, YYYY-MM: not before `from`, and at most "
            f"{MAX_EXPORT_MONTHS} months from `from` to `to`, both included."
        },
    )
    site = sites_field()
    suppress = suppress_field()

    @validates_schema
    def check_range(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError(str(_l("The last month comes before the first.")), "to")
        if len(months_between(data["from_"], data["to"])) > MAX_EXPORT_MONTHS:
            raise ValidationError(
                str(_l("At most {n} months at a time.")).format(n=MAX_EXPORT_MONTHS), "to"
            )


class AnnualExportArgs(YearArgs):
    suppress = suppress_field()
