"""Field types shared by the request and response schemas: bounded text, partial dates, party codes.

Every string the API accepts is bounded and free of NUL bytes, and every integer fits a PostgreSQL
``INTEGER``, so both databases refuse the same inputs with a 422 instead of failing inside the driver.
"""

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BeforeValidator, Field, Strict, StringConstraints, WithJsonSchema

from app.database import INT32_MAX


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text must not contain NUL (\\u0000) characters")
    return text


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(_no_nul)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), AfterValidator(_no_nul)]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(_no_nul)
]
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"),
    Field(examples=["un-smuggling-protocol-2000"]),
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Url = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[^\s\x00]+$")]
Count = Annotated[int, Strict(), Field(ge=0, le=INT32_MAX)]
Ident = Annotated[int, Strict(), Field(ge=1, le=INT32_MAX)]
Flag = Annotated[bool, Strict()]
"""Booleans, counts and ids in bodies are taken as JSON gives them: "3" is not 3 and "yes" is not true."""
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_partial_date(text: str) -> str:
    match = _PARTIAL_DATE.match(text)
    if match is None:
        raise ValueError("a date must be YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a calendar date ({error})") from None
    if year is not None and year < 1000:
        raise ValueError("a year must have four digits and be 1000 or later")
    return text


PartialDate = Annotated[
    str,
    StringConstraints(max_length=10),
    AfterValidator(_check_partial_date),
    Field(examples=["2007", "2007-05", "2007-05-18"]),
]
"""A date known to the year, the month or the day, kept exactly as precise as it was given."""


def earliest_day(partial: str) -> date:
    """Return the first day a partial date can mean (``2007-05`` -> 2007-05-01)."""
    parts = [int(part) for part in partial.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def latest_day(partial: str) -> date:
    """Return the last day a partial date can mean (``2007-02`` -> 2007-02-28)."""
    parts = [int(part) for part in partial.split("-")]
    if len(parts) == 3:
        return date(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        following = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(parts[0], 12, 31)


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_day(text: str) -> date:
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD") from None
    if day.year < 1000:
        raise ValueError("a year must have four digits and be 1000 or later")
    return day


Day = Annotated[
    date,
    BeforeValidator(lambda value: _check_day(value) if isinstance(value, str) else _not_a_day(value)),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2024-06-30"]}),
]
"""A calendar day given exactly as ``YYYY-MM-DD``: no timestamps, numbers or times of day."""


def _not_in_future(day: date) -> date:
    if day > datetime.now(UTC).date():
        raise ValueError(f"{day} is in the future; only what is known can be read")
    return day


PastDay = Annotated[Day, AfterValidator(_not_in_future)]
"""A day no later than today (UTC)."""


def _not_a_day(value: object) -> date:
    raise ValueError(f"a date must be text of the form YYYY-MM-DD, not {type(value).__name__}")


ORGANISATION_PARTIES = {"EU": "European Union", "UNODC": "United Nations Office on Drugs and Crime"}
"""Parties that are organisations rather than states, accepted beside ISO 3166-1 alpha-3 codes."""


def _check_party_code(code: str) -> str:
    if code in ORGANISATION_PARTIES or pycountry.countries.get(alpha_3=code) is not None:
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 code (or one of {', '.join(ORGANISATION_PARTIES)})")


PartyCode = Annotated[
    str,
    StringConstraints(min_length=2, max_length=5, pattern=r"^[A-Z]+$"),
    AfterValidator(_check_party_code),
    Field(examples=["UZB", "RUS", "EU"]),
]


class InstrumentKind(StrEnum):
    universal_convention = "universal_convention"
    convention = "convention"
    protocol = "protocol"
    regional_agreement = "regional_agreement"
    regional_programme = "regional_programme"
    regional_institutional_decision = "regional_institutional_decision"
    bilateral_agreement = "bilateral_agreement"
    readmission_agreement = "readmission_agreement"
    mou = "mou"
    soft_law_compact = "soft_law_compact"
    supranational_legislation = "supranational_legislation"
    programme = "programme"
    national_act = "national_act"


class Scope(StrEnum):
    bilateral = "bilateral"
    regional = "regional"
    multilateral = "multilateral"
    universal = "universal"
    national = "national"


class Organisation(StrEnum):
    UN = "UN"
    EU = "EU"
    CIS = "CIS"
    SCO = "SCO"
    CSTO = "CSTO"
    EAEU = "EAEU"
    OSCE = "OSCE"
    CoE = "CoE"
    none = "none"


class LegalStatus(StrEnum):
    in_force = "in_force"
    in_force_as_amended = "in_force_as_amended"
    in_force_not_yet_applicable = "in_force_not_yet_applicable"
    in_effect = "in_effect"
    in_effect_policy = "in_effect_policy"
    non_binding_in_effect = "non_binding_in_effect"
    signed = "signed"
    signed_not_in_force = "signed_not_in_force"
    ratified_by_one_party_status_unknown = "ratified_by_one_party_status_unknown"
    proposal = "proposal"
    expired = "expired"
    terminated = "terminated"
    unknown = "unknown"
    uncertain = "uncertain"


class Verification(StrEnum):
    """How far the recorded facts of an instrument were checked against sources."""

    verified = "verified"
    partially_verified = "partially_verified"
    uncertain = "uncertain"
    unverified = "unverified"


class ValueType(StrEnum):
    number = "number"
    percent = "percent"
    boolean = "boolean"
    ordinal = "ordinal"
    category = "category"


Direction = Literal["higher", "lower", "neutral"]
"""Which values of an indicator are better; ``neutral`` takes no side (a criterion may set its own). The engine's
words; a literal rather than an enum, whose member ``lower`` would hide ``str.lower``."""


FactLevel = Literal["instrument", "party", "country"]
"""What an indicator's facts are about: the instrument itself (its text, its bodies); one party's relation to
the instrument (ratified, in force for it, implementing law); or a country, whatever the instrument (a TIP tier,
convictions, the return rate of its nationals)."""


class Confidence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


def stored_id(identifier: int | None) -> int:
    """The primary key of a row that has been flushed; a row without one here is a bug, not bad input."""
    if identifier is None:
        raise RuntimeError("the row has no primary key yet: flush the session first")
    return identifier
