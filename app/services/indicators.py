"""Indicator catalogue use cases: create, read, list and update, each audited."""

from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldProblem, InvalidInput, NotFound, problems_from_errors
from app.models import Indicator, Observation
from app.models.common import utc_now
from app.models.filters import IndicatorFilters
from app.models.indicator import IndicatorBase, IndicatorCreate, IndicatorPublic, IndicatorUpdate
from app.services.audit import commit_change, record_event
from app.services.rubrics import rubrics_using

_SHAPE_FIELDS = {"value_type", "levels", "categories", "min", "max", "level"}
_RANGE_FIELDS = {"min", "max"}


def get_indicator(*, session: Session, key: str) -> Indicator:
    """Return the indicator with this key, or raise NotFound."""
    indicator = session.exec(select(Indicator).where(Indicator.key == key)).first()
    if indicator is None:
        raise NotFound(f"No indicator has the key {key!r}.")
    return indicator


def create_indicator(*, session: Session, data: IndicatorCreate, actor: str) -> Indicator:
    """Add an indicator to the catalogue."""
    if session.exec(select(Indicator.id).where(Indicator.key == data.key)).first() is not None:
        raise Conflict(f"An indicator with the key {data.key!r} exists already.")
    indicator = Indicator.model_validate(data.model_dump(mode="json"))
    session.add(indicator)
    record_event(session, actor=actor, action="create", entity="indicator", entity_key=data.key, details={})
    commit_change(session, clash=_clash(data.key))
    return indicator


_PARTNERS = {"min": "max", "max": "min"}


def _at_what_was_sent(problem: FieldProblem, sent: set[str]) -> FieldProblem:
    """A range problem found on the bound the client kept points at the bound it changed."""
    field = problem.path.removeprefix("body.")
    partner = _PARTNERS.get(field)
    if field not in sent and partner in sent:
        return FieldProblem(f"body.{partner}", problem.message, problem.type)
    return problem


def update_indicator(*, session: Session, indicator: Indicator, changes: IndicatorUpdate, actor: str) -> Indicator:
    """Apply a partial update; a change of shape must still fit every value recorded for the indicator."""
    patch = changes.model_dump(exclude_unset=True, mode="json")
    merged = IndicatorPublic.of(indicator).model_dump(include=set(IndicatorBase.model_fields), mode="json") | patch
    try:
        valid = IndicatorBase.model_validate(merged)
    except ValidationError as error:
        problems = problems_from_errors(error.errors(), prefix=("body",))
        raise InvalidInput([_at_what_was_sent(problem, set(patch)) for problem in problems]) from None
    stored = valid.model_dump(mode="json")
    reshaped = {name for name in _SHAPE_FIELDS if stored[name] != getattr(indicator, name)}
    if reshaped:
        _refuse_reshape_with_observations(session, indicator, valid, reshaped)
    if reshaped - _RANGE_FIELDS and (users := rubrics_using(session, indicator.key)):
        fields = ", ".join(sorted(reshaped - _RANGE_FIELDS))
        raise Conflict(
            f"{indicator.key!r} is used by the rubrics {', '.join(users)}; its {fields} can no longer change, "
            "or their published versions would score differently."
        )
    for name, value in stored.items():
        setattr(indicator, name, value)
    indicator.updated_at = utc_now()
    record_event(
        session,
        actor=actor,
        action="update",
        entity="indicator",
        entity_key=indicator.key,
        details={"changed": sorted(patch)},
    )
    commit_change(session, clash=_clash(indicator.key))
    return indicator


def list_indicators(*, session: Session, filters: IndicatorFilters) -> tuple[Sequence[Indicator], int]:
    """Return one page of the catalogue, ordered by key, and the total that match."""
    conditions = [] if filters.dimension is None else [Indicator.dimension == filters.dimension]
    total = session.exec(select(func.count()).select_from(Indicator).where(*conditions)).one()
    statement = select(Indicator).where(*conditions).order_by(col(Indicator.key))
    return session.exec(statement.offset(filters.offset).limit(filters.limit)).all(), total


def _refuse_reshape_with_observations(
    session: Session, indicator: Indicator, valid: IndicatorBase, reshaped: set[str]
) -> None:
    """Refuse a change of value type, levels or categories once values are recorded; check a new range."""
    values = session.exec(
        select(func.count(), func.min(Observation.value_number), func.max(Observation.value_number)).where(
            Observation.indicator_id == indicator.id
        )
    ).one()
    count, lowest, highest = values
    if count == 0:
        return
    if reshaped - _RANGE_FIELDS:
        fields = ", ".join(sorted(reshaped - _RANGE_FIELDS))
        raise Conflict(f"{count} values are recorded for {indicator.key!r}; its {fields} can no longer change.")
    if valid.min is not None and lowest is not None and lowest < valid.min:
        raise Conflict(f"A recorded value ({lowest}) is below the new min ({valid.min}).")
    if valid.max is not None and highest is not None and highest > valid.max:
        raise Conflict(f"A recorded value ({highest}) is above the new max ({valid.max}).")


def _clash(key: str) -> str:
    return f"The indicator {key!r} clashes with stored data (a concurrent change?)."
