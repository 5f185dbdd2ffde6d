"""Input and output schemas of records. The HTML forms and the sync API load through these."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from outreach.catalog.vocabulary import (
    CONTACT_KINDS,
    FLAGS,
    GENDERS,
    INCIDENT_KINDS,
    INCIDENT_OUTCOMES,
    NALOXONE_REFILL_REASONS,
    REFERRAL_OUTCOMES,
    REFERRAL_STATUSES,
    ROUTES,
    SUBSTANCES,
)
from outreach.clients.service import normalise_code
from outreach.errors import InvalidClientCode
from outreach.fields import ANY_DAY, DeviceRecordIn, OccurredAt, Text, WholeNumber, count, one_of
from outreach.limits import (
    EARLIEST_BIRTH_YEAR,
    MAX_CODE,
    MAX_ITEMS,
    MAX_NALOXONE_DOSES,
    MAX_OVERDOSE_REVERSALS,
    MAX_PEOPLE,
    MAX_QUANTITY,
    MAX_REFERRALS,
    MAX_REFERRED_TO,
    MAX_VOID_REASON,
    MIN_PEOPLE,
    MIN_VOID_REASON,
    YOUNGEST_AGE,
)


def latest_birth_year() -> int:
    return datetime.now(UTC).year - YOUNGEST_AGE


class ClientCode(fields.String):
    """A client code, loaded in its normalised form (never stored: the service hashes it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if not raw.strip():
            return None
        try:
            return normalise_code(raw)
        except InvalidClientCode as exc:
            raise ValidationError(str(exc)) from exc


class ItemIn(Schema):
    code = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    quantity = count(MAX_QUANTITY, minimum=1, required=True)


class ReferralIn(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    referred_to = Text(load_default="", validate=validate.Length(max=MAX_REFERRED_TO))


def unique_values(values: list, what) -> None:
    """`what` names the values, e.g. _l("flag"); translated only when there is an error."""
    if len(set(values)) != len(values):
        raise ValidationError(str(_l("The same {what} is listed twice.")).format(what=str(what)))


class ContactIn(DeviceRecordIn):
    """A contact as a device sends it (DESIGN §6). The sync door first tries
    `records.quick.quick_contact`, which loads the usual well-formed contact the same way in a
    fifth of the time; this schema loads everything else and words the errors."""

    id = fields.UUID(required=True)
    occurred_at = OccurredAt(required=True)
    site = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    kind = fields.String(required=True, validate=one_of(CONTACT_KINDS))
    client_code = ClientCode(load_default=None, allow_none=True)
    people_count = count(MAX_PEOPLE, minimum=MIN_PEOPLE, load_default=MIN_PEOPLE)
    on_behalf_of = count(MAX_PEOPLE, load_default=0)
    gender = fields.String(load_default=None, allow_none=True, validate=one_of(GENDERS))
    birth_year = WholeNumber(load_default=None, allow_none=True)
    flags = fields.List(fields.String(validate=one_of(FLAGS)), load_default=list)
    substances = fields.List(fields.String(validate=one_of(SUBSTANCES)), load_default=list)
    route = fields.String(load_default=None, allow_none=True, validate=one_of(ROUTES))
    items = fields.List(
        fields.Nested(ItemIn), load_default=list, validate=validate.Length(max=MAX_ITEMS)
    )
    returned_syringes = count(MAX_QUANTITY, load_default=None, allow_none=True)
    returned_estimated = fields.Boolean(load_default=False)
    naloxone_trained = fields.Boolean(load_default=False)
    naloxone_refill_reason = fields.String(
        load_default=None, allow_none=True, validate=one_of(NALOXONE_REFILL_REASONS)
    )
    overdose_reversals = count(MAX_OVERDOSE_REVERSALS, load_default=0)
    referrals = fields.List(
        fields.Nested(ReferralIn), load_default=list, validate=validate.Length(max=MAX_REFERRALS)
    )

    @validates("birth_year")
    def check_birth_year(self, value, **kwargs):
        if value is not None and not EARLIEST_BIRTH_YEAR <= value <= latest_birth_year():
            raise ValidationError(
                str(_l("Must be between {min} and {max}.")).format(
                    min=EARLIEST_BIRTH_YEAR, max=latest_birth_year()
                )
            )

    @validates("flags")
    def check_flags(self, value, **kwargs):
        unique_values(value, _l("flag"))

    @validates("substances")
    def check_substances(self, value, **kwargs):
        unique_values(value, _l("substance"))

    @validates("items")
    def check_items(self, value, **kwargs):
        # Also called with the valid part of a list whose other elements failed to load.
        unique_values([item["code"] for item in value if "code" in item], _l("item"))

    @validates("referrals")
    def check_referrals(self, value, **kwargs):
        ids = [referral["id"] for referral in value if "id" in referral]
        unique_values(ids, _l("referral id"))
        types = [referral["type"] for referral in value if "type" in referral]
        unique_values(types, _l("referral type"))

    # Also when other fields are wrong, so that a rejected contact names every problem at once.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_client_details(self, data, original, **kwargs):
        code = original.get("client_code") if isinstance(original, dict) else None
        named = code is not None and not (isinstance(code, str) and not code.strip())
        if data.get("people_count", 1) > 1 and named:
            raise ValidationError(
                str(_l("A group contact counts anonymous people: leave the client code empty.")),
                "client_code",
            )


class IncidentIn(DeviceRecordIn):
    """A drug-related emergency as a device sends it."""

    id = fields.UUID(required=True)
    occurred_at = OccurredAt(required=True)
    site = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    kind = fields.String(required=True, validate=one_of(INCIDENT_KINDS))
    client_code = ClientCode(load_default=None, allow_none=True)
    naloxone_doses = count(MAX_NALOXONE_DOSES, load_default=0)
    oxygen_given = fields.Boolean(load_default=False)
    rescue_breathing = fields.Boolean(load_default=False)
    ambulance_called = fields.Boolean(load_default=False)
    outcome = fields.String(load_default="unknown", validate=one_of(INCIDENT_OUTCOMES))


class ReferralUpdateIn(DeviceRecordIn):
    """A follow-up: what became of a referral."""

    id = fields.UUID(required=True)
    referral_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=one_of(REFERRAL_OUTCOMES))
    occurred_at = OccurredAt(required=True)


class VoidIn(Schema):
    reason = Text(required=True, validate=validate.Length(MIN_VOID_REASON, MAX_VOID_REASON))


# Output (a column that may be NULL is `allow_none`, so the OpenAPI document says nullable; a
# computed field names its type in its metadata)

CODES = {"type": "array", "items": {"type": "string"}}


class ItemOut(Schema):
    code = fields.String(attribute="item.code")
    quantity = fields.Integer()


class ContactReferralOut(Schema):
    id = fields.UUID()
    type = fields.String(attribute="type.code")
    referred_to = fields.String()
    status = fields.String()
    status_changed_at = fields.DateTime()


class ReferralOut(ContactReferralOut):
    contact_id = fields.UUID()
    site = fields.Function(lambda referral: referral.contact.site.code)
    contact_occurred_at = fields.Function(lambda referral: referral.contact.occurred_at.isoformat())
    client_alias = fields.Function(
        lambda referral: referral.contact.client.alias if referral.contact.client else None
    )


class RecordOut(Schema):
    id = fields.UUID()
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()
    clock_correction_seconds = fields.Integer(
        metadata={
            "description": "Seconds the server added to the device's time: its clock was off."
        }
    )
    site = fields.String(attribute="site.code")
    recorded_by = fields.String(attribute="recorded_by.username")
    client_alias = fields.Function(
        lambda record: record.client.alias if record.client else None,
        metadata={"type": "string", "nullable": True},
    )
    voided = fields.Boolean(attribute="is_voided")
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)


class ContactOut(RecordOut):
    kind = fields.String()
    people_count = fields.Integer()
    on_behalf_of = fields.Integer()
    gender = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    flags = fields.Function(
        lambda contact: [flag for flag in FLAGS if getattr(contact, flag)], metadata=CODES
    )
    substances = fields.Function(
        lambda contact: sorted(s.substance for s in contact.substances), metadata=CODES
    )
    route = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ItemOut))
    returned_syringes = fields.Integer(allow_none=True)
    returned_estimated = fields.Boolean()
    naloxone_trained = fields.Boolean()
    naloxone_refill_reason = fields.String(allow_none=True)
    overdose_reversals = fields.Integer()
    referrals = fields.List(fields.Nested(ContactReferralOut))


class IncidentOut(RecordOut):
    kind = fields.String()
    naloxone_doses = fields.Integer()
    oxygen_given = fields.Boolean()
    rescue_breathing = fields.Boolean()
    ambulance_called = fields.Boolean()
    outcome = fields.String()


class PageOut(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ContactPageOut(PageOut):
    contacts = fields.List(fields.Nested(ContactOut))


class IncidentPageOut(PageOut):
    incidents = fields.List(fields.Nested(IncidentOut))


class ReferralListOut(Schema):
    referrals = fields.List(fields.Nested(ReferralOut))


class ListArgs(Schema):
    """Query arguments of the record lists."""

    from_ = fields.Date(data_key="from", load_default=None, validate=ANY_DAY)
    to = fields.Date(load_default=None, validate=ANY_DAY)
    site = Text(load_default=None, validate=validate.Length(1, MAX_CODE))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ReferralArgs(Schema):
    status = fields.String(load_default="made", validate=one_of(REFERRAL_STATUSES))
