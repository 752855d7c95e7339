"""Password hashing (scrypt, off the event loop) and signed tokens."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_password_sync(password: str) -> str:
    """Salted scrypt hash in a self-describing string."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password_sync(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = _scrypt(password, base64.b64decode(salt_b64), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


async def hash_password(password: str) -> str:
    """Hash in a worker thread: scrypt is deliberately slow."""
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password: str, stored: str) -> bool:
    """Verify in a worker thread."""
    return await asyncio.to_thread(verify_password_sync, password, stored)


def same_text(given: str, expected: str) -> bool:
    """Constant-time comparison of two strings as UTF-8 bytes (`compare_digest` refuses non-ASCII `str`)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


class TokenSigner:
    """Signs small payloads for a purpose (auth, reply-to, unsubscribe) with the secret key."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=f"ventanilla.{purpose}")

    def sign(self, purpose: str, payload: Any) -> str:
        """A URL-safe signed token."""
        return self._serializer(purpose).dumps(payload)

    def unsign(self, purpose: str, token: str, max_age: int | None = None) -> Any | None:
        """The payload, or None when the token is forged, for another purpose or expired."""
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired, ValueError, TypeError):
            return None

    def short_mac(self, purpose: str, value: str, length: int = 16) -> str:
        """A short hex MAC, for places with little room such as email local parts."""
        mac = hmac.new(self._secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:length]


def new_public_token() -> str:
    """An unguessable public entity token."""
    return secrets.token_urlsafe(24)
