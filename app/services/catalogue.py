"""The indicator catalogue as the engine sees it."""

from sqlmodel import Session, col, select

from app.models import Indicator
from scoring.catalogue import IndicatorSpec


def indicator_spec(indicator: Indicator) -> IndicatorSpec:
    """The engine's view of one catalogue entry: the fields have the same names and values on both sides."""
    return IndicatorSpec.model_validate(indicator, from_attributes=True)


def engine_catalogue(session: Session) -> dict[str, IndicatorSpec]:
    """Every indicator of the catalogue, keyed as rubrics name them."""
    rows = session.exec(select(Indicator).order_by(col(Indicator.key))).all()
    return {row.key: indicator_spec(row) for row in rows}
