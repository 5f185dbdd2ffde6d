"""The sealing key as phones get it, and the sealed envelope (DESIGN §6)."""

from marshmallow import Schema, fields, validate

from outreach.sealing.envelope import MAX_SEALED_BYTES


class SealKeyOut(Schema):
    kid = fields.String(metadata={"description": "The key's id: 16 hex digits."})
    public_key = fields.String(
        metadata={"description": "The P-256 public key, its uncompressed point in base64url."}
    )


class SealedIn(Schema):
    kid = fields.String(required=True, validate=validate.Length(max=64))
    epk = fields.String(required=True, validate=validate.Length(max=200))
    iv = fields.String(required=True, validate=validate.Length(max=100))
    ct = fields.String(required=True, validate=validate.Length(max=MAX_SEALED_BYTES * 2))


class EnvelopeIn(Schema):
    """A sealed record: it may stand wherever a plain record stands in `POST /api/v1/sync`."""

    id = fields.String(required=True, validate=validate.Length(max=64))
    sealed = fields.Nested(SealedIn, required=True)


class OpenedOut(Schema):
    id = fields.String()
    record = fields.Dict(metadata={"description": "The record as it was sealed."})
