"""Wire formats: identity ids, GUIDs, ``expiresOn`` and date-time parsing."""

from __future__ import annotations

import contextlib
import math
import re
import uuid
from datetime import datetime, timedelta, timezone

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GUID_RE = re.compile(rf"\A{_GUID}\Z")
#: ``8:acs:<resource>_<user>`` (79 chars) or, for Teams Phone identities,
#: ``8:acs:<resource>_<tenant>_<object>``.
_IDENTITY_RE = re.compile(rf"\A8:acs:({_GUID})_{_GUID}(?:_{_GUID})?\Z")
_FRACTION_RE = re.compile(r"\.(\d+)")
_ONE_MICROSECOND = timedelta(microseconds=1)


def is_guid(value: str) -> bool:
    """True for the 8-4-4-4-12 hex form (no braces)."""
    return _GUID_RE.match(value) is not None


def identity_resource(identity_id: str) -> str | None:
    """Return the resource guid of a well-formed identity id, else ``None``."""
    match = _IDENTITY_RE.match(identity_id)
    return match.group(1) if match else None


def new_identity_id(resource_id: str) -> str:
    """A fresh ``8:acs:<resource>_<guid>`` id (79 characters)."""
    return f"8:acs:{resource_id}_{uuid.uuid4()}"


def teams_phone_identity_id(resource_id: str, tenant_id: str, object_id: str) -> str:
    """The three-part id of a Teams Phone identity."""
    return f"8:acs:{resource_id}_{tenant_id.lower()}_{object_id.lower()}"


#: "YYYY-MM-DDTHH:MM:SS" of recent whole seconds: tokens issued in the same
#: second with the same lifetime share it.
_SECOND_TEXT: dict[int, str] = {}


def format_expires_on(epoch_seconds: float) -> str:
    """Format like the service: ``2021-06-02T22:00:57.295796+00:00``.

    Offset always ``+00:00`` (never ``Z``); fractional digits with trailing
    zeros dropped, and no fraction at all for a whole second.  Microseconds
    are rounded half-even, exactly as ``datetime.fromtimestamp`` does.
    """
    whole = math.floor(epoch_seconds)
    micro = round((epoch_seconds - whole) * 1_000_000)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    text = _SECOND_TEXT.get(whole)
    if text is None:
        text = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        if len(_SECOND_TEXT) >= 256:
            _SECOND_TEXT.clear()
        _SECOND_TEXT[whole] = text
    if micro:
        return f"{text}.{micro:06d}".rstrip("0") + "+00:00"
    return text + "+00:00"


def parse_date_time(value: str) -> float:
    """Parse an RFC 3339 date-time (``Z`` or an offset; naive means UTC).

    Any number of fractional digits is accepted (.NET writes 7).  Python keeps
    microseconds, so digits past the sixth round the microsecond **up** when any of
    them is not zero: the instant is a revocation boundary ("tokens issued before
    it"), and ``12:00:00.0000001`` is after ``12:00:00``, so it must stay after it
    (truncating would make it ``12:00:00`` exactly and spare the tokens of that
    second).  Raises ``ValueError``.
    """
    past_microseconds = False

    def six_digits(match: re.Match[str]) -> str:
        nonlocal past_microseconds
        digits = match.group(1)
        if not digits.isascii():  # \d also matches other scripts' digits
            raise ValueError("not an RFC 3339 date-time")
        past_microseconds = digits[6:].strip("0") != ""
        return "." + digits[:6].ljust(6, "0")

    # Python 3.10's fromisoformat knows neither "Z" nor fractions other than 3 or 6 digits.
    text = _FRACTION_RE.sub(six_digits, value.strip(), count=1)
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if past_microseconds:
        # The last microsecond of year 9999 has no next one: keep it (it is after every token anyway).
        with contextlib.suppress(OverflowError):
            moment += _ONE_MICROSECOND
    return moment.timestamp()
