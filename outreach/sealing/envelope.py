"""Opening a sealed record (`{"id", "sealed": {"kid", "epk", "iv", "ct"}}`, base64url fields)
for the user who sends it, and sealing one (as a phone does; for tests and benchmarks).

A phone reuses one ephemeral key for the records of a page load, so the AES key derived for a
(key id, ephemeral key) pair is kept in a `cache` dict for the rest of a batch."""

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask_babel import gettext as _

from outreach.sealing.keys import Keyring, SealKey, b64url, raw_point

INFO = b"outreach seal v1 "
AAD = "outreach seal v1|{kid}|{id}|{username}"
POINT_BYTES, IV_BYTES, TAG_BYTES = 65, 12, 16
# A record is small; a sealed one larger than this is refused before any work.
MAX_SEALED_BYTES = 64 * 1024
_FIELDS = ("kid", "epk", "iv", "ct")


class SealError(ValueError):
    """An envelope that does not open: its message says why, in the user's language."""


def is_sealed(raw) -> bool:
    return isinstance(raw, dict) and "sealed" in raw


def _unb64(value) -> bytes:
    if not isinstance(value, str) or len(value) > MAX_SEALED_BYTES * 2:
        raise SealError(_("This sealed record is incomplete."))
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SealError(_("This sealed record is incomplete.")) from exc


def _aes(private_key, peer_public_key, epk: bytes, kid: str) -> AESGCM:
    """The AES-GCM key both sides derive: ECDH, then HKDF (salt: the ephemeral key)."""
    shared = private_key.exchange(ec.ECDH(), peer_public_key)
    key = HKDF(hashes.SHA256(), 32, salt=epk, info=INFO + kid.encode("ascii")).derive(shared)
    return AESGCM(key)


def _server_side(private_key, epk: bytes, kid: str) -> AESGCM:
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), epk)
    except ValueError as exc:
        raise SealError(_("This sealed record is incomplete.")) from exc
    return _aes(private_key, peer, epk, kid)


def _aad(kid: str, record_id: str, username: str) -> bytes:
    return AAD.format(kid=kid, id=record_id, username=username).encode("utf-8")


def open_envelope(raw: dict, username: str, keys: Keyring, cache: dict | None = None) -> dict:
    """The record inside an envelope sealed by `username`; SealError if it does not open."""
    sealed, record_id = raw.get("sealed"), raw.get("id")
    if set(raw) != {"id", "sealed"} or not isinstance(sealed, dict) or set(sealed) != set(_FIELDS):
        raise SealError(_("This sealed record is incomplete."))
    if not isinstance(record_id, str) or not isinstance(sealed["kid"], str):
        raise SealError(_("This sealed record is incomplete."))
    kid = sealed["kid"]
    key = keys.get(kid)
    if key is None:
        raise SealError(_("This record was sealed with a key the server does not hold."))
    epk, iv, ct = (_unb64(sealed[name]) for name in ("epk", "iv", "ct"))
    sizes_right = len(epk) == POINT_BYTES and len(iv) == IV_BYTES
    if not sizes_right or not TAG_BYTES < len(ct) <= MAX_SEALED_BYTES:
        raise SealError(_("This sealed record is incomplete."))
    cache = {} if cache is None else cache
    aes = cache.get((kid, epk))
    if aes is None:
        aes = cache[(kid, epk)] = _server_side(key.private_key, epk, kid)
    try:
        plain = aes.decrypt(iv, ct, _aad(kid, record_id, username))
    except InvalidTag as exc:
        raise SealError(
            _("This sealed record does not open: it was changed, or sealed by someone else.")
        ) from exc
    try:
        record = json.loads(plain)
    except ValueError as exc:
        raise SealError(_("This sealed record holds no record.")) from exc
    if not isinstance(record, dict):
        raise SealError(_("This sealed record holds no record."))
    if record.get("id") != record_id:
        raise SealError(_("The record inside has another id than its envelope."))
    return record


def seal_record(record: dict, username: str, key: SealKey, ephemeral=None) -> dict:
    """The envelope a phone makes of `record` (with its `id`) for `username`."""
    ephemeral = ephemeral or ec.generate_private_key(ec.SECP256R1())
    epk = raw_point(ephemeral.public_key())
    aes = _aes(ephemeral, key.private_key.public_key(), epk, key.kid)
    iv = os.urandom(IV_BYTES)
    plain = json.dumps(record).encode("utf-8")
    ct = aes.encrypt(iv, plain, _aad(key.kid, record["id"], username))
    return {
        "id": record["id"],
        "sealed": {"kid": key.kid, "epk": b64url(epk), "iv": b64url(iv), "ct": b64url(ct)},
    }
