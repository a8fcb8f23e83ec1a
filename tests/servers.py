"""A real uvicorn server in a background thread, for end-to-end tests and benchmarks."""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI
from sqlmodel import Session

from app.database import get_engine, get_reading_engine, get_writing_engine
from app.models.access import Role
from app.services.keys import create_key
from app.settings import get_settings


def forget_database() -> None:
    """Close the service's engine and forget the settings, so the next use reads the environment again."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_writing_engine.cache_clear()
    get_reading_engine.cache_clear()


def use_database(url: str) -> None:
    """Point the service at ``url`` exactly as an operator would, through ``COOPSCORE_DATABASE_URL``."""
    os.environ["COOPSCORE_DATABASE_URL"] = url
    forget_database()


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under a real uvicorn server on a free local port; yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def admin_key(name: str = "e2e-admin") -> str:
    """Create an admin key in the database the service now uses, and return it."""
    with Session(get_engine()) as session:
        _, key = create_key(session=session, name=name, role=Role.admin, actor="test setup")
    return key
