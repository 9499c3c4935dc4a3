"""The resource's keys: the HMAC access key and the token signing key, made once per store.

Both are generated the first time a store is used and kept in it, so a restart keeps the
connection string and tokens issued before it stay verifiable. An access key given by the
caller (``--access-key``) is used as is and not stored.
"""

from __future__ import annotations

import base64
import secrets
from typing import NamedTuple

from ._auth import HmacVerifier
from ._store import Store
from ._tokens import TokenSigner, generate_key_material


class ResourceKeys(NamedTuple):
    """The access key (base64, as in the connection string), its verifier and the token signer."""

    access_key: str
    verifier: HmacVerifier
    signer: TokenSigner


def load_keys(store: Store, access_key: str | None = None) -> ResourceKeys:
    """The keys of the resource in ``store``, generating (and storing) what it does not have yet.

    Raises ``ValueError`` for an access key that is not base64 or is empty (never quoting it).
    """
    if access_key is None:
        access_key = store.set_meta_if_absent("access_key", base64.b64encode(secrets.token_bytes(64)).decode("ascii"))
    try:
        key_bytes = base64.b64decode(access_key, validate=True)
    except ValueError:
        raise ValueError("the access key must be base64") from None
    if not key_bytes:
        raise ValueError("the access key must not be empty")
    key_pem = store.get_meta("signing_key_pem")
    cert_pem = store.get_meta("signing_cert_pem")
    if key_pem is None or cert_pem is None:
        new_key, new_cert = generate_key_material()
        key_pem = store.set_meta_if_absent("signing_key_pem", new_key.decode("ascii"))
        cert_pem = store.set_meta_if_absent("signing_cert_pem", new_cert.decode("ascii"))
    return ResourceKeys(
        access_key, HmacVerifier(key_bytes), TokenSigner(key_pem.encode("ascii"), cert_pem.encode("ascii"))
    )
