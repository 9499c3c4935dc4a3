"""What the clients accept as endpoint, and the one-line answers to the common slips, literally."""

from __future__ import annotations

import pytest

from azure.communication.administration._endpoint import implies_https, normalize_endpoint, strip_quotes

EXAMPLE = "'https://<resource>.communication.azure.com'"
LABEL_63 = "a-" * 31 + "a"
LABEL_64 = "ab-" * 21 + "a"


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ('"x"', "x"),
        ("' x '", "x"),
        ('""', ""),
        ('"', '"'),
        ("'", "'"),
        ("'x\"", "'x\""),
        ('"x', '"x'),
        ("x", "x"),
        ("''x''", "'x'"),
        ("  x  ", "x"),
        ("`x`", "`x`"),
    ],
)
def test_strip_quotes(text: str, stripped: str) -> None:
    assert strip_quotes(text) == stripped


@pytest.mark.parametrize(
    ("endpoint", "https"), [("x.example", True), ("'x.example'", True), ("http://x", False), ("https://x", False)]
)
def test_implies_https(endpoint: str, https: bool) -> None:
    assert implies_https(endpoint) is https


@pytest.mark.parametrize(
    ("endpoint", "normalized"),
    [
        ("x.communication.azure.com/", "https://x.communication.azure.com"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("HTTPS://X.example", "HTTPS://X.example"),
        ("'https://x.example'", "https://x.example"),
        ("https://127.0.0.1:0", "https://127.0.0.1:0"),
        ("https://[::1]:65535", "https://[::1]:65535"),
        (f"https://{LABEL_63}.example", f"https://{LABEL_63}.example"),
        ("https://under_score.example.", "https://under_score.example."),
        ("https://x.example/path//", "https://x.example/path"),
    ],
)
def test_accepted(endpoint: str, normalized: str) -> None:
    assert normalize_endpoint(endpoint) == normalized


def _error(endpoint: object) -> str:
    with pytest.raises(ValueError) as caught:
        normalize_endpoint(endpoint)  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("", f"endpoint must be a non-empty URL such as {EXAMPLE}, got ''."),
        ("  ", f"endpoint must be a non-empty URL such as {EXAMPLE}, got '  '."),
        (None, f"endpoint must be a non-empty URL such as {EXAMPLE}, got None."),
        (42, f"endpoint must be a non-empty URL such as {EXAMPLE}, got 42."),
        ("ftp://x", f"endpoint 'ftp://x' is not an http(s) URL with a host, such as {EXAMPLE}."),
        ("https://", f"endpoint 'https://' is not an http(s) URL with a host, such as {EXAMPLE}."),
        ("https://a b", f"endpoint 'https://a b' is not an http(s) URL with a host, such as {EXAMPLE}."),
        ("https://-x.example", f"endpoint 'https://-x.example' is not an http(s) URL with a host, such as {EXAMPLE}."),
        (
            f"https://{LABEL_64}.example",
            f"endpoint 'https://{LABEL_64}.example' is not an http(s) URL with a host, such as {EXAMPLE}.",
        ),
        (
            "https://u@x",
            f"endpoint must be the resource URL alone, such as {EXAMPLE}, without user, query or fragment.",
        ),
        (
            "https://x?q=1",
            f"endpoint must be the resource URL alone, such as {EXAMPLE}, without user, query or fragment.",
        ),
        (
            "https://x#f",
            f"endpoint must be the resource URL alone, such as {EXAMPLE}, without user, query or fragment.",
        ),
        ("https://x:65536", "endpoint 'https://x:65536' has an invalid port (0 to 65535)."),
        ("https://x:abc", "endpoint 'https://x:abc' has an invalid port (0 to 65535)."),
        (
            "endpoint=https://x",
            "endpoint is a connection string ('endpoint=...;accesskey=...'); pass it to "
            "CommunicationIdentityClient.from_connection_string(conn_str) instead.",
        ),
        (
            "https://x/;AccessKey=abc",
            "endpoint is a connection string ('endpoint=...;accesskey=...'); pass it to "
            "CommunicationIdentityClient.from_connection_string(conn_str) instead.",
        ),
        (
            "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3ODkw",
            f"endpoint looks like an access key, not a URL; pass the resource URL ({EXAMPLE}) as endpoint and the key "
            "as credential.",
        ),
    ],
)
def test_refused(endpoint: object, message: str) -> None:
    assert _error(endpoint) == message


def test_a_refusal_is_not_cached() -> None:
    for _ in range(2):
        assert _error("ftp://x").startswith("endpoint 'ftp://x' is not")
