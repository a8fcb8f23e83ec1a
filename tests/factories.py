"""Request bodies for tests: valid by default, any field overridable."""

from typing import Any


def instrument_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST /v1/instruments`` body."""
    body: dict[str, Any] = {
        "id": "cis-illegal-migration-1998",
        "title": "Agreement on cooperation of CIS member states in combating illegal migration",
        "short_name": "CIS agreement on illegal migration (1998)",
        "kind": "regional_agreement",
        "scope": "regional",
        "organisation": "CIS",
        "legal_status": "in_force",
        "binding": True,
        "signed": "1998-03-06",
        "in_force": "1999",
        "topics": ["readmission", "information_exchange"],
        "sources": [{"title": "CIS Legislation", "url": "https://cis-legislation.com/document.fwx?rgn=4726"}],
        "parties": [
            {"code": "UZB", "signed": "1998-03-06", "ratified": "1999-05"},
            {"code": "RUS", "signed": "1998-03-06"},
        ],
    }
    body.update(overrides)
    return body


def indicator_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST /v1/indicators`` body: by default an ordinal indicator with three levels."""
    body: dict[str, Any] = {
        "key": "LD01",
        "label": "Legal bindingness of the instrument",
        "dimension": "legal_design",
        "value_type": "ordinal",
        "levels": ["political declaration", "binding with implementing acts", "binding treaty"],
        "direction": "higher",
    }
    body.update(overrides)
    if body["value_type"] != "ordinal" and "levels" not in overrides:
        del body["levels"]
    return body


def observation_body(**overrides: Any) -> dict[str, Any]:
    """A valid observation of LD01."""
    body: dict[str, Any] = {
        "indicator": "LD01",
        "value": 2,
        "as_of": "2020-01-01",
        "evidence": {
            "title": "Agreement text, Art. 1",
            "url": "https://cis-legislation.com/document.fwx?rgn=4726",
        },
        "confidence": "high",
    }
    body.update(overrides)
    return body


def rubric_definition(key: str = "balanced", **overrides: Any) -> dict[str, Any]:
    """A valid rubric over LD01 (ordinal) and SG01 (boolean), in two dimensions."""
    definition: dict[str, Any] = {
        "key": key,
        "label": "Balanced",
        "description": "Legal design counts twice as much as safeguards.",
        "dimensions": [
            {
                "key": "legal_design",
                "label": "Legal design",
                "weight": 2,
                "criteria": [
                    {
                        "key": "bindingness",
                        "label": "Bindingness",
                        "indicator": "LD01",
                        "normalisation": {
                            "method": "ordinal",
                            "points": {
                                "political declaration": 0,
                                "binding with implementing acts": 50,
                                "binding treaty": 100,
                            },
                        },
                    }
                ],
            },
            {
                "key": "safeguards",
                "label": "Safeguards",
                "weight": 1,
                "criteria": [
                    {
                        "key": "non_refoulement",
                        "label": "Non-refoulement clause",
                        "indicator": "SG01",
                        "normalisation": {"method": "boolean"},
                    }
                ],
            },
        ],
    }
    definition.update(overrides)
    return definition


def rubric_body(key: str = "balanced", **overrides: Any) -> dict[str, Any]:
    """A valid ``POST /v1/rubrics`` body."""
    body: dict[str, Any] = {
        "key": key,
        "definition": rubric_definition(key),
    }
    body.update(overrides)
    return body
