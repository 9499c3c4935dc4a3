"""Known-answer tests for the HMAC policy.

The expected literals were computed once, independently, with openssl::

    KEYHEX=$(printf known-answer-key | xxd -p)
    DATE="Thu, 25 Aug 2022 20:03:34 GMT"
    PQ="/identities/8%3Aacs%3Ares_user%2B1/:issueAccessToken?api-version=2023-10-01"
    HOST="contoso.communication.azure.com:8443"
    H=$(printf '%s' "$BODY" | openssl dgst -sha256 -binary | base64)
    printf 'POST\n%s\n%s;%s;%s' "$PQ" "$DATE" "$HOST" "$H" \
      | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEYHEX -binary | base64
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline import Pipeline
from azure.core.rest import HttpRequest

from azure.communication.administration import _auth
from azure.communication.administration._auth import HMACCredentialPolicy

from . import _fakes as f

KEY = "a25vd24tYW5zd2VyLWtleQ=="  # base64(b"known-answer-key")
ROTATED_KEY = "cm90YXRlZC1rZXktMDAwMg=="  # base64(b"rotated-key-0002")
CLOCK = 1661457814.0
DATE = "Thu, 25 Aug 2022 20:03:34 GMT"
ENDPOINT = "https://contoso.communication.azure.com:8443"
PATH_QUERY = "/identities/8%3Aacs%3Ares_user%2B1/:issueAccessToken?api-version=2023-10-01"
URL = ENDPOINT + PATH_QUERY
PREFIX = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="

ASCII_BODY = b'{"scopes":["chat"]}'
UTF8_BODY = '{"name":"Zoë 東京"}'.encode()
KNOWN = [
    pytest.param(
        ASCII_BODY,
        "J+doRQjtFVYLx3qOvzptwBLjQWqy6OEWEEk1TY1+rT4=",
        "Z+lcPB1rJGgk9UukaBvxI3aALDFxDgTCZ4LJ5B0i9Uo=",
        id="ascii",
    ),
    pytest.param(
        UTF8_BODY,
        "T8lfaQGrKrAdR4WJQeNu+LgycfRKs+Jd3bBcIznLRAQ=",
        "4P4etmMiiZjVJ/zaZtjCnj54SiT8nQtPUuU2y7TFe9c=",
        id="utf8",
    ),
    pytest.param(
        b"",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "t0+e2sWkTJLTcQsrX7zHSbHGfWa7POJcXqtPS6Bfzp0=",
        id="empty",
    ),
]
EMPTY_SIG_ROTATED = "BWCbTCfoisfxe6RCqExHOeBe6+P7Qh3FTAO6ciDVyr4="
# GET /identities?api-version=2021-03-07, host "x", empty body, DATE, KEY.
X_HOST_SIG = "evGtEfOy+GaOf9IVvuRpgVxhTibXYo8V+vIVJPK8uvA="


def _run(policy: HMACCredentialPolicy, method: str, url: str, body: bytes) -> f.Recorded:
    transport = f.FakeTransport((200, {}))
    pipeline = Pipeline(transport=transport, policies=[policy])
    pipeline.run(HttpRequest(method, url, content=body if body else None))
    return transport.last


@pytest.mark.parametrize(("body", "content_hash", "signature"), KNOWN)
def test_sign_known_answers(body, content_hash, signature):
    policy = HMACCredentialPolicy(ENDPOINT, KEY, clock=lambda: CLOCK)
    assert policy.sign("POST", PATH_QUERY, body, DATE) == {
        "x-ms-date": DATE,
        "x-ms-content-sha256": content_hash,
        "Authorization": PREFIX + signature,
    }


@pytest.mark.parametrize(("body", "content_hash", "signature"), KNOWN)
def test_policy_in_a_pipeline_known_answers(body, content_hash, signature):
    rec = _run(HMACCredentialPolicy(ENDPOINT, KEY, clock=lambda: CLOCK), "POST", URL, body)
    assert rec.body == body
    assert rec.header("x-ms-date") == DATE
    assert rec.header("x-ms-content-sha256") == content_hash
    assert rec.header("Authorization") == PREFIX + signature


def test_lowercase_method_is_signed_upper():
    policy = HMACCredentialPolicy(ENDPOINT, KEY)
    assert policy.sign("post", PATH_QUERY, b"", DATE)["Authorization"] == (
        PREFIX + "t0+e2sWkTJLTcQsrX7zHSbHGfWa7POJcXqtPS6Bfzp0="
    )


def test_text_body_is_hashed_as_utf8():
    policy = HMACCredentialPolicy(ENDPOINT, KEY, clock=lambda: CLOCK)
    rec = _run(policy, "POST", URL, UTF8_BODY.decode())
    assert rec.header("x-ms-content-sha256") == "T8lfaQGrKrAdR4WJQeNu+LgycfRKs+Jd3bBcIznLRAQ="


@pytest.mark.parametrize("endpoint", ["https://x:443", "https://x", "https://x:443/", "http://x:80"])
def test_default_port_is_not_signed(endpoint):
    policy = HMACCredentialPolicy(endpoint, KEY)
    headers = policy.sign("GET", "/identities?api-version=2021-03-07", b"", DATE)
    assert headers["Authorization"] == PREFIX + X_HOST_SIG


def test_non_default_port_changes_the_signature():
    with_port = HMACCredentialPolicy("https://x:8443", KEY)
    headers = with_port.sign("GET", "/identities?api-version=2021-03-07", b"", DATE)
    assert headers["Authorization"] != PREFIX + X_HOST_SIG
    # https on port 80 is not the default port either
    assert _auth._host_of("https://x:80") == "x:80"
    assert _auth._host_of("http://127.0.0.1:8080/") == "127.0.0.1:8080"
    assert _auth._host_of("https://[::1]:8443") == "[::1]:8443"
    assert _auth._host_of("https://[::1]:443") == "[::1]"


def test_key_is_decoded_once(monkeypatch):
    calls = []
    real = _auth.decode_access_key

    def counting(key):
        calls.append(1)
        return real(key)

    monkeypatch.setattr(_auth, "decode_access_key", counting)
    policy = HMACCredentialPolicy(ENDPOINT, KEY, clock=lambda: CLOCK)
    for _ in range(3):
        rec = _run(policy, "POST", URL, b"")
        assert rec.header("Authorization") == PREFIX + "t0+e2sWkTJLTcQsrX7zHSbHGfWa7POJcXqtPS6Bfzp0="
    assert len(calls) == 1


def test_key_is_decoded_once_through_the_client(monkeypatch):
    import base64 as b64

    calls = []
    real = b64.b64decode

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    from azure.communication.administration import CommunicationIdentityClient

    transport = f.FakeTransport(default=f.NO_CONTENT)
    client = CommunicationIdentityClient(f.ENDPOINT, AzureKeyCredential(f.KEY), transport=transport)
    monkeypatch.setattr(b64, "b64decode", counting)
    for _ in range(4):
        client.delete_user(f.USER_ID)
    assert len(transport.requests) == 4
    assert calls == []


def test_azure_key_credential_rotation_is_honoured(monkeypatch):
    calls = []
    real = _auth.decode_access_key
    monkeypatch.setattr(_auth, "decode_access_key", lambda k: calls.append(k) or real(k))
    credential = AzureKeyCredential(KEY)
    policy = HMACCredentialPolicy(ENDPOINT, credential, clock=lambda: CLOCK)
    empty_sig = "t0+e2sWkTJLTcQsrX7zHSbHGfWa7POJcXqtPS6Bfzp0="
    assert _run(policy, "POST", URL, b"").header("Authorization") == PREFIX + empty_sig
    credential.update(ROTATED_KEY)
    for _ in range(2):
        assert _run(policy, "POST", URL, b"").header("Authorization") == PREFIX + EMPTY_SIG_ROTATED
    assert calls == [KEY, ROTATED_KEY]  # decoded once at construction, once after the rotation


def test_rotation_through_the_client():
    from azure.communication.administration import CommunicationIdentityClient

    from ._wire_cases import independent_signature

    credential = AzureKeyCredential(f.KEY)
    transport = f.FakeTransport(default=f.NO_CONTENT)
    client = CommunicationIdentityClient(f.ENDPOINT, credential, transport=transport)
    client.delete_user(f.USER_ID)
    credential.update(ROTATED_KEY)
    client.delete_user(f.USER_ID)
    for rec, key in zip(transport.requests, [f.KEY, ROTATED_KEY], strict=True):
        sig = independent_signature(
            key,
            "DELETE",
            rec.url,
            rec.header("x-ms-date"),
            rec.header("x-ms-content-sha256"),
            "contoso.communication.azure.com",
        )
        assert rec.header("Authorization") == PREFIX + sig


def _non_english_locale(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A German/French locale name and the env to use it; built with localedef if needed."""
    try:
        available = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.split()
    except FileNotFoundError:
        available = []
    for name in available:
        if name.lower().replace("-", "").startswith(("de_de.utf8", "fr_fr.utf8")):
            return name, {}
    if shutil.which("localedef") and Path("/usr/share/i18n/locales/de_DE").exists():
        target = tmp_path / "locales"
        target.mkdir()
        done = subprocess.run(
            ["localedef", "-i", "de_DE", "-f", "UTF-8", str(target / "de_DE.UTF-8")],
            capture_output=True,
            check=False,
        )
        if done.returncode in (0, 1) and (target / "de_DE.UTF-8").exists():
            return "de_DE.UTF-8", {"LOCPATH": str(target)}
    pytest.skip("no non-English locale installed and none can be built with localedef")


@pytest.mark.slow  # a process of its own under another locale
def test_date_is_english_under_a_german_locale(tmp_path):
    name, extra = _non_english_locale(tmp_path)
    script = textwrap.dedent(
        f"""
        import locale, time
        locale.setlocale(locale.LC_ALL, "")
        # prove the locale is really non-English in this process
        print(time.strftime("%a %b", time.gmtime({CLOCK})))
        from azure.core.pipeline import Pipeline
        from azure.core.rest import HttpRequest
        from azure.communication.administration._auth import HMACCredentialPolicy
        from tests.client._fakes import FakeTransport
        t = FakeTransport((200, {{}}))
        p = HMACCredentialPolicy({ENDPOINT!r}, {KEY!r}, clock=lambda: {CLOCK})
        Pipeline(transport=t, policies=[p]).run(HttpRequest("POST", {URL!r}))
        print(t.last.header("x-ms-date"))
        print(t.last.header("Authorization"))
        """
    )
    env = {**os.environ, **extra, "LC_ALL": name, "LANG": name}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(Path(__file__).parents[2]),
        check=True,
    ).stdout.splitlines()
    local_names, date, auth = out
    assert local_names in ("Do Aug", "jeu. août")  # the process really is non-English
    assert date == DATE
    assert auth == PREFIX + "t0+e2sWkTJLTcQsrX7zHSbHGfWa7POJcXqtPS6Bfzp0="


def test_stream_body_is_refused():
    import io

    policy = HMACCredentialPolicy(ENDPOINT, KEY)
    transport = f.FakeTransport((200, {}))
    pipeline = Pipeline(transport=transport, policies=[policy])
    with pytest.raises(TypeError, match="bytes or text"):
        pipeline.run(HttpRequest("POST", URL, content=io.BytesIO(b"x")))
    assert transport.requests == []
