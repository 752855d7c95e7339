"""Password hashing and signed tokens."""

from __future__ import annotations

from ventanilla.security import TokenSigner, hash_password_sync, verify_password_sync


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password_sync("una clave"), hash_password_sync("una clave")
    assert first != second and first.startswith("scrypt$")
    assert verify_password_sync("una clave", first) and not verify_password_sync("otra clave", first)
    assert not verify_password_sync("una clave", "garbage") and not verify_password_sync("x", "scrypt$1$2$3$zz$zz")


def test_tokens_are_bound_to_secret_and_purpose() -> None:
    signer = TokenSigner("s1")
    token = signer.sign("auth", {"uid": 1})
    assert signer.unsign("auth", token) == {"uid": 1}
    assert signer.unsign("reply", token) is None
    assert TokenSigner("s2").unsign("auth", token) is None
    assert signer.unsign("auth", token + "x") is None
    assert (
        signer.short_mac("reply", "42") == TokenSigner("s1").short_mac("reply", "42") != signer.short_mac("reply", "43")
    )
