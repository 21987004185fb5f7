"""Access codes: what a unit's clerk (or the county office) types to sign in, and how it is kept.

A code reads ``KEYID-XXXX-XXXX-XXXX-XXXX``: the key id names the stored row (so one scrypt, not one per unit, checks
a code) and is no secret; the 80 random bits after it are. Only a salted scrypt of the secret is stored, with its
parameters, so they can be raised later without invalidating codes already handed out. The letters leave out
I, L, O and U (Crockford's base 32): a code is read aloud over the phone and copied from paper.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_ID_CHARS = 6
SECRET_GROUPS = 4  # of four characters: 16 × 5 = 80 bits
# scrypt's cost: 32 MiB and ~80 ms here per check (the portal remembers a checked code for a few minutes)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_SHAPE = re.compile(rf"([{ALPHABET}]{{{KEY_ID_CHARS}}})((?:-[{ALPHABET}]{{4}}){{{SECRET_GROUPS}}})")
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})  # what a person may type for a look-alike


@dataclass(frozen=True)
class Hashed:
    """What the store keeps of a code: never the code itself."""

    key_id: str
    salt: str  # hex
    digest: str  # hex
    params: str  # "n,r,p"


def new_code() -> str:
    key_id = "".join(secrets.choice(ALPHABET) for _ in range(KEY_ID_CHARS))
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(SECRET_GROUPS))
    return "-".join((key_id, *groups))


def normalise(typed: str) -> str:
    """A code as typed: spaces and case ignored, look-alike letters read as the digits they stand for."""
    text = re.sub(r"\s+", "", typed or "").upper().translate(_READ_AS)
    if "-" not in text and len(text) == KEY_ID_CHARS + 4 * SECRET_GROUPS:  # typed without dashes
        text = "-".join([text[:KEY_ID_CHARS]] + [text[i:i + 4] for i in range(KEY_ID_CHARS, len(text), 4)])
    return text


def split(code: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed code, else None."""
    m = _SHAPE.fullmatch(normalise(code))
    return (m.group(1), m.group(2)) if m else None


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=128 * r * n * p + 2**20)


def hash_code(code: str) -> Hashed:
    parts = split(code)
    if parts is None:
        raise ValueError("not an access code")
    key_id, secret = parts
    salt = secrets.token_bytes(16)
    return Hashed(key_id, salt.hex(), _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).hex(),
                  f"{SCRYPT_N},{SCRYPT_R},{SCRYPT_P}")


def verify(code: str, stored: Hashed | None) -> bool:
    """Whether ``code`` is the one ``stored`` was made from. With nothing stored the same work is done, so a
    key id that exists cannot be told from one that does not by the time the answer takes."""
    parts = split(code)
    secret = parts[1] if parts else code
    if stored is None or parts is None or parts[0] != stored.key_id:
        _scrypt(secret, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    n, r, p = (int(x) for x in stored.params.split(","))
    return hmac.compare_digest(_scrypt(secret, bytes.fromhex(stored.salt), n, r, p).hex(), stored.digest)
