"""Service settings, read once from the environment (prefix ``COOPSCORE_``) and cached."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Defaults suit a local run on SQLite."""

    model_config = SettingsConfigDict(env_prefix="COOPSCORE_", extra="ignore")

    database_url: str = "sqlite:///./coopscore.db"
    """SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql+psycopg://user@host/db``."""
    database_echo: bool = False
    allow_anonymous_reads: bool = False
    """Serve reads without an API key (``make run`` turns this on for a local look; writes always need one)."""
    max_body_bytes: int = 4 * 1024 * 1024
    """Request bodies above this size are refused with 413 before they are parsed."""


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
