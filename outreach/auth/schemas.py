"""Sign-in and user schemas."""

from marshmallow import Schema, fields, validate

from outreach.fields import Text
from outreach.sealing.schemas import SealKeyOut


class LoginIn(Schema):
    username = Text(required=True, validate=validate.Length(1, 60))
    password = fields.String(required=True, validate=validate.Length(1, 200), load_only=True)
    remember = fields.Boolean(load_default=False)


class UserOut(Schema):
    username = fields.String()
    role = fields.String()
    sites = fields.Function(lambda user: [site.code for site in user.sites])
    language = fields.String(allow_none=True)


class SessionOut(Schema):
    user = fields.Nested(UserOut)
    csrf_token = fields.String()
    catalog_version = fields.String(
        metadata={
            "description": "Version of the user's catalog (as in `GET /api/v1/catalog`): when "
            "it differs from the one the device's pages were made with, fetch them again."
        }
    )
    seal_key = fields.Nested(
        SealKeyOut,
        metadata={"description": "The newest public key the device seals its records to."},
    )
