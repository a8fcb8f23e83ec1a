"""Partial dates and party codes, without a database."""

import pytest
from pydantic import TypeAdapter, ValidationError

from app.models.types import PartialDate, PartyCode, earliest_day, latest_day

partial_date = TypeAdapter(PartialDate)


@pytest.mark.parametrize("text", ["2007", "2007-05", "2007-05-18", "2008-02-29"])
def test_partial_dates_round_trip_exactly(text: str) -> None:
    assert partial_date.validate_python(text) == text


@pytest.mark.parametrize("text", ["07", "2007-5", "2007-13", "2007-02-29", "2007/05/01", "0999", "2007-05-18T00:00"])
def test_malformed_partial_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        partial_date.validate_python(text)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        pytest.param("2007", "2007-01-01", "2007-12-31", id="year"),
        pytest.param("2008-02", "2008-02-01", "2008-02-29", id="leap-february"),
        pytest.param("2007-12", "2007-12-01", "2007-12-31", id="december"),
        pytest.param("2007-05-18", "2007-05-18", "2007-05-18", id="day"),
    ],
)
def test_partial_date_spans_its_days(text: str, first: str, last: str) -> None:
    assert (earliest_day(text).isoformat(), latest_day(text).isoformat()) == (first, last)


@pytest.mark.parametrize("code", ["UZB", "RUS", "DEU", "EU", "UNODC"])
def test_known_party_codes_pass(code: str) -> None:
    assert TypeAdapter(PartyCode).validate_python(code) == code


@pytest.mark.parametrize("code", ["XXX", "UZ", "uzb", "EUR"])
def test_unknown_party_codes_fail(code: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(PartyCode).validate_python(code)
