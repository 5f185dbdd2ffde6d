"""Opening sealed records: what opens, and every way an envelope can fail to (never a crash)."""

import base64
import copy
import json
import os
import uuid

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from outreach.sealing.envelope import AAD, INFO, SealError, open_envelope, seal_record
from outreach.sealing.keys import (
    Keyring,
    keys_from_pem,
    load_keyring,
    new_pem,
    raw_point,
    write_new_key,
)

KEY = keys_from_pem(new_pem())[0]
OTHER_KEY = keys_from_pem(new_pem())[0]
KEYS = Keyring((KEY,))


def record(**fields):
    return {"id": str(uuid.uuid4()), "site": "AMS-DCR1", "client_code": "ZZSEAL99", **fields}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_sealed_record_opens_for_its_author_as_it_was():
    plain = record(items=[{"code": "syringe_1ml", "quantity": 5}])
    envelope = seal_record(plain, "worker", KEY)

    assert envelope["id"] == plain["id"]
    assert set(envelope["sealed"]) == {"kid", "epk", "iv", "ct"}
    assert "ZZSEAL99" not in json.dumps(envelope)
    assert open_envelope(envelope, "worker", KEYS) == plain


def test_the_key_id_is_the_start_of_the_public_points_hash():
    assert len(KEY.kid) == 16 and int(KEY.kid, 16) >= 0
    assert KEY.kid != OTHER_KEY.kid
    assert (
        keys_from_pem(
            KEY.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )[0].kid
        == KEY.kid
    )
    assert KEY.public_json() == {"kid": KEY.kid, "public_key": b64(KEY.public_raw)}
    assert len(KEY.public_raw) == 65 and KEY.public_raw[0] == 4


def test_records_sealed_with_one_ephemeral_key_open_with_one_derivation():
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    first, second = record(), record()
    envelopes = [seal_record(each, "worker", KEY, ephemeral) for each in (first, second)]
    cache = {}

    opened = [open_envelope(envelope, "worker", KEYS, cache) for envelope in envelopes]

    assert opened == [first, second]
    assert len(cache) == 1
    assert envelopes[0]["sealed"]["epk"] == envelopes[1]["sealed"]["epk"]
    assert envelopes[0]["sealed"]["iv"] != envelopes[1]["sealed"]["iv"]


def _changed(change):
    envelope = seal_record(record(), "worker", KEY)
    changed = copy.deepcopy(envelope)
    change(changed)
    return changed


def _flip_last_byte(envelope):
    ct = bytearray(unb64(envelope["sealed"]["ct"]))
    ct[-1] ^= 1
    envelope["sealed"]["ct"] = b64(bytes(ct))


def _other_id(envelope):
    envelope["id"] = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_last_byte, "does not open"),
        (_other_id, "does not open"),
        (lambda e: e["sealed"].update(kid="0123456789abcdef"), "key the server does not hold"),
        (lambda e: e["sealed"].pop("iv"), "incomplete"),
        (lambda e: e.pop("id"), "incomplete"),
        (lambda e: e.update(extra=1), "incomplete"),
        (lambda e: e.update(sealed="text"), "incomplete"),
        (lambda e: e["sealed"].update(ct=e["sealed"]["ct"][:10]), "incomplete"),
        (lambda e: e["sealed"].update(ct="!!!not base64!!!"), "incomplete"),
        (lambda e: e["sealed"].update(epk=b64(b"\x04" + b"\x01" * 64)), "incomplete"),
        (lambda e: e["sealed"].update(epk=b64(b"\x04" * 33)), "incomplete"),
        (lambda e: e["sealed"].update(iv=b64(b"\x00" * 8)), "incomplete"),
        (lambda e: e["sealed"].update(kid=7), "incomplete"),
        (lambda e: e.update(id=None), "incomplete"),
    ],
    ids=[
        "tampered ciphertext",
        "swapped id",
        "unknown key",
        "no iv",
        "no id",
        "extra field",
        "sealed not an object",
        "truncated ciphertext",
        "not base64",
        "not a point on the curve",
        "short key",
        "short iv",
        "key id not text",
        "id not text",
    ],
)
def test_an_envelope_that_does_not_open_says_why(change, message):
    with pytest.raises(SealError, match=message):
        open_envelope(_changed(change), "worker", KEYS)


def test_an_envelope_opens_for_its_author_only():
    envelope = seal_record(record(), "worker", KEY)

    with pytest.raises(SealError, match="sealed by someone else"):
        open_envelope(envelope, "another", KEYS)


def seal_text(plain: bytes, envelope_id: str, username: str = "worker") -> dict:
    """An envelope of any content under any id, sealed as a phone seals (a broken phone's)."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    epk = raw_point(ephemeral.public_key())
    shared = ephemeral.exchange(ec.ECDH(), KEY.private_key.public_key())
    aes_key = HKDF(hashes.SHA256(), 32, salt=epk, info=INFO + KEY.kid.encode()).derive(shared)
    iv = os.urandom(12)
    aad = AAD.format(kid=KEY.kid, id=envelope_id, username=username).encode()
    ct = AESGCM(aes_key).encrypt(iv, plain, aad)
    return {
        "id": envelope_id,
        "sealed": {"kid": KEY.kid, "epk": b64(epk), "iv": b64(iv), "ct": b64(ct)},
    }


def test_the_helper_seals_as_the_module_does():
    inner = record()
    assert (
        open_envelope(seal_text(json.dumps(inner).encode(), inner["id"]), "worker", KEYS) == inner
    )


def test_a_record_inside_with_another_id_than_its_envelope_is_refused():
    inner = record()
    envelope = seal_text(json.dumps(inner).encode(), str(uuid.uuid4()))

    with pytest.raises(SealError, match="another id"):
        open_envelope(envelope, "worker", KEYS)


@pytest.mark.parametrize("plain", [b"[1, 2]", b"not json", b'"text"'])
def test_content_that_is_not_a_record_is_refused(plain):
    with pytest.raises(SealError, match="holds no record"):
        open_envelope(seal_text(plain, str(uuid.uuid4())), "worker", KEYS)


def test_keys_come_from_the_environment_and_the_folder_newest_last(tmp_path):
    env_pem = new_pem().decode()
    first = write_new_key(tmp_path)
    second = write_new_key(tmp_path)

    keyring = load_keyring({"OUTREACH_SEAL_KEY": env_pem, "OUTREACH_SEAL_KEY_DIR": str(tmp_path)})

    assert [key.kid for key in keyring.keys][1:] == [first.kid, second.kid]
    assert keyring.newest.kid == second.kid
    assert keyring.get(first.kid) is not None and keyring.get("nope") is None
    assert (
        oct((tmp_path / sorted(p.name for p in tmp_path.iterdir())[0]).stat().st_mode)[-3:] == "600"
    )


def test_no_key_or_a_wrong_key_stops_the_app_from_starting(tmp_path):
    with pytest.raises(RuntimeError, match="No seal key"):
        load_keyring({"OUTREACH_SEAL_KEY": None, "OUTREACH_SEAL_KEY_DIR": str(tmp_path)})
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="P-256"):
        keys_from_pem(rsa_pem)
