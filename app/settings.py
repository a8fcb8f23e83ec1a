"""Service settings, read once from the environment (prefix ``COOPSCORE_``) and cached."""

import re
from functools import lru_cache

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]]+)(:[0-9]{1,5})?")


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
    requests_per_minute: int = 600
    """Requests one key (or one address reading anonymously) may make per minute; 429 beyond."""
    failed_keys_per_minute: int = 10
    """Requests with a bad key one address may make per minute; 429 beyond, whatever key it sends next."""
    cors_origins: list[str] = []
    """Origins of the dashboards that may call the API from a browser, as the browser sends them
    (``https://dashboard.example.org``); from the environment a JSON list. Empty: no CORS headers at all."""

    @field_validator("cors_origins")
    @classmethod
    def _origins_as_browsers_send_them(cls, origins: list[str]) -> list[str]:
        # An origin with a path, a trailing slash or a wildcard would never match and fail silently.
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://dashboard.example.org or http://host:8080")
        return origins


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
