"""What a reader of the audit log may filter it by."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from outreach.audit.service import ACTIONS
from outreach.fields import ANY_DAY, Text


class AuditFilter(Schema):
    class Meta:
        unknown = EXCLUDE  # a stray query parameter is not the reader's mistake

    action = fields.String(
        load_default=None,
        validate=validate.OneOf(list(ACTIONS), error=_l("Choose an action from the list.")),
    )
    actor = Text(load_default=None, validate=validate.Length(max=60))
    date_from = fields.Date(data_key="from", load_default=None, validate=ANY_DAY)
    date_to = fields.Date(data_key="to", load_default=None, validate=ANY_DAY)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))

    @validates_schema
    def check_range(self, data, **kwargs):
        if data["date_from"] and data["date_to"] and data["date_to"] < data["date_from"]:
            raise ValidationError(str(_("The last day comes before the first.")), "to")
