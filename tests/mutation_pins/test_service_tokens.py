"""The local service's RS256 tokens on their own: header, claims, verification refusals, JWKS,
and signing on helper processes in batches (make mutate mutates each of these in _tokens.py)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from typing import Any

import pytest
from acs_identity_emulator._tokens import (
    ACS_SCP,
    TokenSigner,
    _int_b64url,
    _SigningHelper,
    acs_claims,
    generate_key_material,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIMS = {"skypeid": "acs:x", "exp": 2_000_000_000, "iat": 1_700_000_000}


@pytest.fixture(scope="module")
def material() -> tuple[bytes, bytes]:
    return generate_key_material()


@pytest.fixture(scope="module")
def signer(material: tuple[bytes, bytes]) -> TokenSigner:
    return TokenSigner(*material)


def _b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _part(token: str, index: int) -> Any:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_key_material(material: tuple[bytes, bytes]) -> None:
    key = serialization.load_pem_private_key(material[0], password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537
    cert = x509.load_pem_x509_certificate(material[1])
    assert cert.subject.rfc4514_string() == "CN=acs-identity-emulator"
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 3651


def test_header_and_thumbprints(signer: TokenSigner, material: tuple[bytes, bytes]) -> None:
    der = x509.load_pem_x509_certificate(material[1]).public_bytes(serialization.Encoding.DER)
    thumb = hashlib.sha1(der).digest()
    assert signer.kid == thumb.hex().upper()
    assert signer.x5t == _b64(thumb)
    token = signer.sign(CLAIMS)
    assert token.split(".")[0] == _b64({"alg": "RS256", "kid": signer.kid, "x5t": signer.x5t, "typ": "JWT"})
    assert _part(token, 1) == CLAIMS
    assert token.split(".")[1] == _b64(CLAIMS)  # compact, in order
    assert signer.verify(token) == CLAIMS


def test_verify_refuses(signer: TokenSigner, material: tuple[bytes, bytes]) -> None:
    token = signer.sign(CLAIMS)
    header, payload, signature = token.split(".")
    other = TokenSigner(*generate_key_material()).sign(CLAIMS)
    refused = [
        f"{header}.{payload}",
        f"{header}.{payload}.{signature}.{signature}",
        f"{header}.{_b64({'skypeid': 'acs:y'})}.{signature}",
        f"{_b64({'alg': 'none'})}.{payload}.{signature}",
        f"{_b64(['RS256'])}.{payload}.{signature}",
        other,
        f"{header}.{payload}.{signature}=",
        f"{header}.{payload}.{signature[:-2]}",
        "",
    ]
    for bad in refused:
        assert signer.verify(bad) is None, bad


def test_verify_refuses_a_signed_payload_that_is_not_an_object(signer: TokenSigner) -> None:
    header = signer.sign({}).split(".")[0]
    signing_input = f"{header}.{_b64([1, 2])}"
    from acs_identity_emulator._tokens import _PADDING, _SHA256

    signature = signer._key.sign(signing_input.encode(), _PADDING, _SHA256)
    assert signer.verify(f"{signing_input}.{_b64(signature)}") is None


def test_jwks(signer: TokenSigner, material: tuple[bytes, bytes]) -> None:
    (key,) = signer.jwks()["keys"]
    numbers = serialization.load_pem_private_key(material[0], password=None).public_key().public_numbers()  # type: ignore[union-attr]
    assert {k: key[k] for k in ("kty", "use", "alg", "kid", "x5t", "e")} == {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": signer.kid,
        "x5t": signer.x5t,
        "e": "AQAB",
    }
    n = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
    assert len(n) == 256 and int.from_bytes(n, "big") == numbers.n
    der = x509.load_pem_x509_certificate(material[1]).public_bytes(serialization.Encoding.DER)
    assert key["x5c"] == [base64.b64encode(der).decode()]


@pytest.mark.parametrize(("value", "text"), [(65537, "AQAB"), (255, "_w"), (256, "AQA"), (1, "AQ")])
def test_int_b64url(value: int, text: str) -> None:
    assert _int_b64url(value) == text


def test_acs_claims_in_the_service_order() -> None:
    claims = acs_claims("acs:r_u", ["chat", "voip"], 1_700_000_000, 1_700_086_400, "r")
    assert list(claims.items()) == [
        ("skypeid", "acs:r_u"),
        ("scp", 1792),
        ("csi", "1700000000"),
        ("exp", 1_700_086_400),
        ("rgn", "amer"),
        ("acsScope", "chat,voip"),
        ("resourceId", "r"),
        ("resourceLocation", "unitedstates"),
        ("iat", 1_700_000_000),
    ]
    assert ACS_SCP == 1792


def test_sign_async_without_helpers_is_sign(signer: TokenSigner) -> None:
    # PKCS#1 v1.5 is deterministic: the same claims give the same token
    assert asyncio.run(signer.sign_async(CLAIMS)) == signer.sign(CLAIMS)


def test_helpers_sign_bursts_larger_than_a_batch(material: tuple[bytes, bytes]) -> None:
    signer = TokenSigner(*material)
    claims = [{"n": i} for i in range(2 * _SigningHelper.MAX_BATCH + 3)]

    async def run() -> list[str]:
        await signer.start_helpers(2)
        assert len(signer._helpers) == 2
        try:
            tokens = await asyncio.gather(*(signer.sign_async(c) for c in claims))
            assert all(h.backlog == 0 for h in signer._helpers)
            return list(tokens)
        finally:
            signer.close()

    tokens = asyncio.run(run())
    assert tokens == [signer.sign(c) for c in claims]
    assert signer._helpers == []
    assert _SigningHelper.MAX_BATCH == 8


def test_a_dead_helper_fails_its_requests_and_is_passed_over(material: tuple[bytes, bytes]) -> None:
    signer = TokenSigner(*material)

    async def run() -> tuple[str, str]:
        await signer.start_helpers(1)
        helper = signer._helpers[0]
        helper._process.kill()
        helper._process.join()
        with pytest.raises(RuntimeError) as caught:
            await asyncio.wait_for(helper.sign(b"x"), 10)
        assert str(caught.value) == "the signing process is gone"
        assert helper.alive is False
        token = await signer.sign_async(CLAIMS)  # signed in process
        signer.close()
        return token, signer.sign(CLAIMS)

    token, expected = asyncio.run(run())
    assert token == expected
