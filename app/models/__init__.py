"""Tables and API schemas, one family per entity. Importing this registers every table on the metadata."""

from app.models.access import ApiKey
from app.models.audit import AuditEvent
from app.models.idempotency import IdempotencyRecord
from app.models.indicator import Indicator
from app.models.instrument import Instrument, InstrumentTopic, Party
from app.models.observation import Observation
from app.models.revision import DataRevision
from app.models.rubric import DefaultRubric, Rubric, RubricVersion

__all__ = [
    "ApiKey",
    "AuditEvent",
    "DataRevision",
    "DefaultRubric",
    "IdempotencyRecord",
    "Indicator",
    "Instrument",
    "InstrumentTopic",
    "Observation",
    "Party",
    "Rubric",
    "RubricVersion",
]
