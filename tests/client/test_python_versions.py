"""Behaviour that differs between the Python versions setup.py declares, pinned with fixed inputs.

``make test-pythons`` runs these on every installed version; each case here is one
that a run on Python 3.10 found failing where 3.11+ passed.
"""

from __future__ import annotations

import pytest

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration._redact import looks_secret

#: A 64-byte access key whose base64 has a '/' after more than 63 characters and no '+'
#: before it: "https://<key>" then parses as a host too long to be one.
KEY_WITH_SLASH = "RBY8jDQ5Zrvg8aLP6SawD8DUNSvtDGxaWksm3PZzUTeWd6o8fpxCE87LAhDOAubLuH4lghRKIXJv6L43/jpMRA=="


@pytest.mark.parametrize("text", [KEY_WITH_SLASH, f"https://{KEY_WITH_SLASH}", f"//{KEY_WITH_SLASH}"])
def test_a_key_is_recognised_whatever_precedes_it(text: str) -> None:
    assert looks_secret(text)


def test_a_key_pasted_as_an_https_endpoint_is_not_quoted() -> None:
    with pytest.raises(ValueError) as caught:
        CommunicationIdentityClient(f"https://{KEY_WITH_SLASH}", KEY_WITH_SLASH)
    assert KEY_WITH_SLASH[:20] not in str(caught.value)
