"""Shared by the API benchmarks: a large synthetic store and a latency sampler (servers: ``tests.servers``).

The synthetic store has the shape of the real one (instruments with parties and topics, a catalogue of
ordinal, boolean, number and percent indicators, dated observations) at a size no real catalogue reaches yet.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine, make_url

from app.database import make_engine
from app.migrations import upgrade
from app.models import Indicator, Instrument, InstrumentTopic, Observation, Party

ORGANISATIONS = ["UN", "EU", "CIS", "SCO", "CSTO", "none"]
SCOPES = ["bilateral", "regional", "multilateral", "universal", "national"]
KINDS = ["bilateral_agreement", "readmission_agreement", "regional_agreement", "protocol", "mou"]
COUNTRIES = ["UZB", "RUS", "KAZ", "KGZ", "TJK", "TKM", "DEU", "FRA", "ITA", "ESP", "POL", "TUR", "CHN", "IND"]
TOPICS = ["readmission", "border_control", "information_exchange", "return", "victim_protection", "visa_policy"]
VALUE_TYPES = ["ordinal", "boolean", "number", "percent"]


def indicator_rows(count: int) -> list[dict[str, Any]]:
    """``count`` indicators in five dimensions, cycling through the value types."""
    now = dt.datetime.now(dt.UTC)
    rows = []
    for index in range(count):
        kind = VALUE_TYPES[index % len(VALUE_TYPES)]
        rows.append(
            {
                "key": f"IND{index:02d}",
                "label": f"Indicator {index}",
                "dimension": f"dimension_{index % 5}",
                "value_type": kind,
                "levels": ["none", "partial", "full"] if kind == "ordinal" else [],
                "categories": [],
                "direction": "higher",
                "sources": [],
                "min": 0.0 if kind == "number" else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _value(kind: str, rng: random.Random) -> float:
    return {
        "ordinal": float(rng.randrange(3)),
        "boolean": float(rng.randrange(2)),
        "number": rng.uniform(0, 5000),
        "percent": rng.uniform(0, 100),
    }[kind]


def load_store(engine: Engine, *, instruments: int, indicators: int, observations_per_instrument: int) -> None:
    """Fill a migrated, empty database with a deterministic synthetic store."""
    rng = random.Random(20261128)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(insert(Indicator), indicator_rows(indicators))
        connection.execute(
            insert(Instrument),
            [
                {
                    "id": number,
                    "slug": f"instrument-{number:05d}",
                    "title": f"Agreement number {number} on cooperation against irregular migration",
                    "short_name": f"Agreement {number}",
                    "kind": KINDS[number % len(KINDS)],
                    "scope": SCOPES[number % len(SCOPES)],
                    "organisation": ORGANISATIONS[number % len(ORGANISATIONS)],
                    "legal_status": "in_force",
                    "binding": True,
                    "signed": f"{1990 + number % 34}-0{1 + number % 9}",
                    "verification": "verified",
                    "key_provisions": [],
                    "mechanisms": [],
                    "uncertainties": [],
                    "sources": [{"title": "Treaty text", "url": f"https://example.org/treaty/{number}"}],
                    "created_at": now,
                    "updated_at": now,
                }
                for number in range(1, instruments + 1)
            ],
        )
        connection.execute(
            insert(Party),
            [
                {"instrument_id": number, "code": code}
                for number in range(1, instruments + 1)
                for code in rng.sample(COUNTRIES, 3)
            ],
        )
        connection.execute(
            insert(InstrumentTopic),
            [
                {"instrument_id": number, "topic": topic}
                for number in range(1, instruments + 1)
                for topic in rng.sample(TOPICS, 2)
            ],
        )
    _load_observations(engine, rng, instruments, indicators, observations_per_instrument)


def _load_observations(engine: Engine, rng: random.Random, instruments: int, indicators: int, each: int) -> None:
    kinds = [VALUE_TYPES[index % len(VALUE_TYPES)] for index in range(indicators)]
    recorded = dt.datetime.now(dt.UTC)
    batch: list[dict[str, Any]] = []
    for number in range(1, instruments + 1):
        for slot in range(each):
            indicator = slot % indicators
            batch.append(
                {
                    "instrument_id": number,
                    "indicator_id": indicator + 1,
                    "value_number": _value(kinds[indicator], rng),
                    "observed_on": dt.date(2000 + slot // indicators * 5 + rng.randrange(5), 1 + rng.randrange(12), 1),
                    "evidence": {"title": "Annual report", "url": "https://example.org/report"},
                    "confidence": "medium",
                    "recorded_by": "benchmark",
                    "recorded_at": recorded,
                }
            )
        if len(batch) >= 50_000:
            _insert(engine, batch)
            batch = []
    _insert(engine, batch)


def _insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(Observation), rows)


@contextlib.contextmanager
def database(kind: str, postgres_server: str | None, directory: str) -> Iterator[str]:
    """Yield the URL of a new, migrated database of ``kind``, dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{directory}/bench-{uuid.uuid4().hex[:8]}.db"
        upgrade(url)
        yield url
        return
    if postgres_server is None:
        raise SystemExit("no PostgreSQL server given")
    server = make_url(postgres_server).set(drivername="postgresql+psycopg")
    name = f"coopscore_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyse(engine: Engine) -> None:
    """Refresh planner statistics, as a production database would have them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def median_latencies(client: httpx.Client, paths: dict[str, str], rounds: int) -> dict[str, float]:
    """Median milliseconds per path, requests interleaved so noise hits every path alike."""
    for path in paths.values():  # warm up caches and connections
        for _ in range(5):
            client.get(path).raise_for_status()
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            start = time.perf_counter()
            client.get(path).raise_for_status()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def bare_endpoint(app: FastAPI, path: str, payload_of: Callable[[], Any]) -> None:
    """Add a route that returns a fixed payload through FastAPI's ordinary serialisation: the baseline."""
    payload = payload_of()

    def bare() -> Any:
        return payload

    app.add_api_route(path, bare, include_in_schema=False)


def payload_size(response: httpx.Response) -> int:
    """Bytes of a JSON response body."""
    return len(json.dumps(response.json()).encode())


def run_benchmark(bench: Callable[[str, str | None, int, str], None], description: str, *, rounds: int) -> None:
    """Parse the common options and run ``bench`` on SQLite, then PostgreSQL (unless ``--only`` says otherwise)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_postgres = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--postgres", default=default_postgres, help="a PostgreSQL server to create a database on")
    parser.add_argument("--rounds", type=int, default=rounds, help="requests per endpoint")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for kind in ("sqlite", "postgresql"):
            if arguments.only in (None, kind):
                bench(kind, arguments.postgres, arguments.rounds, directory)
