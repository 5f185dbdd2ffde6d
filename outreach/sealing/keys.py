"""The server's sealing keys: P-256 private keys, each known by a key id (`kid`, the first 16
hex digits of the SHA-256 of its public point). They come from `OUTREACH_SEAL_KEY` (PEM text,
one key or several one after another) and from the PEM files of `OUTREACH_SEAL_KEY_DIR`
(`instance/seal-keys/` by default, read in name order). Every key opens the records sealed to
it; the last one is the newest, the one handed out. `flask rotate-seal-key` adds a file.

Run as `python -m outreach.sealing.keys FOLDER` to make the first key in a folder (what
`make run` does); it does nothing if the folder holds one already.
"""

import base64
import hashlib
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:EC )?PRIVATE KEY-----.+?-----END (?:EC )?PRIVATE KEY-----", re.DOTALL
)
_EXTENSION = "outreach_seal_keys"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_point(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The public key as the 65 bytes of its uncompressed point (WebCrypto's "raw")."""
    return public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass(frozen=True)
class SealKey:
    private_key: ec.EllipticCurvePrivateKey
    public_raw: bytes = field(init=False)
    kid: str = field(init=False)

    def __post_init__(self):
        public_raw = raw_point(self.private_key.public_key())
        object.__setattr__(self, "public_raw", public_raw)
        object.__setattr__(self, "kid", hashlib.sha256(public_raw).hexdigest()[:16])

    def public_json(self) -> dict:
        """The public key as phones get it (`/api/v1/me`, the field pages)."""
        return {"kid": self.kid, "public_key": b64url(self.public_raw)}


@dataclass(frozen=True)
class Keyring:
    keys: tuple[SealKey, ...]

    @property
    def newest(self) -> SealKey:
        return self.keys[-1]

    def get(self, kid) -> SealKey | None:
        return next((key for key in self.keys if key.kid == kid), None)


def keys_from_pem(text: str | bytes) -> list[SealKey]:
    """Every P-256 private key in a PEM text; ValueError for anything else."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    keys = []
    for block in _PEM_BLOCK.findall(text):
        private_key = serialization.load_pem_private_key(block.encode("ascii"), password=None)
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
            private_key.curve, ec.SECP256R1
        ):
            raise ValueError("A seal key must be an EC P-256 private key.")
        keys.append(SealKey(private_key))
    return keys


def new_pem() -> bytes:
    """A new P-256 private key as unencrypted PKCS#8 PEM."""
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_new_key(folder: str | Path) -> SealKey:
    """Add a key file to `folder` (readable by its owner only), named so it sorts last."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pem = new_pem()
    path = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.pem"
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)
    return keys_from_pem(pem)[0]


def load_keyring(config) -> Keyring:
    """The keys of the app's configuration; RuntimeError if there is none or one is unreadable."""
    keys = keys_from_pem(config.get("OUTREACH_SEAL_KEY") or "")
    folder = config.get("OUTREACH_SEAL_KEY_DIR")
    if folder and Path(folder).is_dir():
        for path in sorted(Path(folder).glob("*.pem")):
            keys.extend(keys_from_pem(path.read_text()))
    if not keys:
        raise RuntimeError(
            "No seal key: set OUTREACH_SEAL_KEY (an EC P-256 private key, PEM) or run "
            "`make run` once to create one under instance/seal-keys/."
        )
    return Keyring(tuple(keys))


def init_app(app) -> None:
    app.extensions[_EXTENSION] = load_keyring(app.config)


def keyring() -> Keyring:
    return current_app.extensions[_EXTENSION]


if __name__ == "__main__":
    target = Path(sys.argv[1])
    if not (target.is_dir() and any(target.glob("*.pem"))):
        made = write_new_key(target)
        print(f"Made seal key {made.kid} in {target}/")
