"""The data revision: a counter every write to instruments or observations advances."""

from sqlmodel import Field, SQLModel


class DataRevision(SQLModel, table=True):
    """A single row holding the current data revision, shared by every worker through the database."""

    __tablename__ = "data_revision"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
