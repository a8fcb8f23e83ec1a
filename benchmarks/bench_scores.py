"""Latency of the score endpoints on 10,000 instruments x 40 indicators, each beside a bare endpoint.

Served by a real uvicorn server on SQLite (and PostgreSQL unless ``--only sqlite``). Prints the median latency
of the ranking (``limit=100``), of one explained score, and of a what-if preview of all 10,000 instruments,
each beside a bare FastAPI endpoint returning a payload of the same size in the same run, and the ratios.
Targets: explained score at most 3x its bare endpoint once cached; full preview at most 25x. Every preview
asks for different weights, so each one really scores all instruments again (only the baseline is cached).

    python benchmarks/bench_scores.py [--postgres URL] [--rounds 100] [--only sqlite|postgresql]
"""

import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.database import make_engine
from app.main import create_app
from benchmarks._fixture import (
    VALUE_TYPES,
    analyse,
    bare_endpoint,
    database,
    load_store,
    median_latencies,
    run_benchmark,
)
from tests.servers import admin_key, forget_database, serve, use_database

ROUNDS = 100
INSTRUMENTS, INDICATORS = 10_000, 40
RANKING = "/v1/scores?limit=100"
EXPLAINED = "/v1/instruments/instrument-04242/score"


def normalisation(kind: str) -> dict[str, Any]:
    """A sensible rule for each synthetic indicator type."""
    return {
        "ordinal": {"method": "ordinal", "points": {"none": 0, "partial": 50, "full": 100}},
        "boolean": {"method": "boolean"},
        "number": {"method": "goalposts", "min": 0, "max": 5000},
        "percent": {"method": "goalposts", "min": 0, "max": 100},
    }[kind]


def rubric() -> dict[str, Any]:
    """Five dimensions of eight criteria, one per indicator."""
    dimensions = [
        {
            "key": f"dimension_{dimension}",
            "label": f"Dimension {dimension}",
            "criteria": [
                {
                    "key": f"c{index:02d}",
                    "label": f"Criterion {index}",
                    "indicator": f"IND{index:02d}",
                    "normalisation": normalisation(VALUE_TYPES[index % len(VALUE_TYPES)]),
                }
                for index in range(INDICATORS)
                if index % 5 == dimension
            ],
        }
        for dimension in range(5)
    ]
    return {"key": "bench", "label": "Benchmark", "dimensions": dimensions}


def publish(client: httpx.Client) -> None:
    """Create and publish the benchmark rubric as the default, with an admin key."""
    key = {"X-API-Key": admin_key("benchmark")}
    body = {"key": "bench", "definition": rubric()}
    created = client.post("/v1/rubrics", json=body, headers=key)
    created.raise_for_status()
    client.post(
        "/v1/rubrics/bench/publish",
        json={"note": "benchmark", "make_default": True},
        headers={**key, "If-Match": created.headers["etag"]},
    ).raise_for_status()


def preview_latencies(client: httpx.Client, bare: str, rounds: int) -> tuple[float, float, int]:
    """Median ms of previews with ever-new weights and of the bare endpoint, interleaved; payload bytes."""
    weights = itertools.count(2)
    previews, bares, size = [], [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.post("/v1/scores/preview", json={"weights": {"dimension_0": next(weights)}})
        previews.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        size = len(response.content)
        start = time.perf_counter()
        client.get(bare).raise_for_status()
        bares.append((time.perf_counter() - start) * 1000)
    return statistics.median(previews), statistics.median(bares), size


def bench(kind: str, postgres: str | None, rounds: int, directory: str) -> None:
    """Load the store on one database and print the figures."""
    with database(kind, postgres, directory) as url:
        engine = make_engine(url)
        load_store(engine, instruments=INSTRUMENTS, indicators=INDICATORS, observations_per_instrument=INDICATORS)
        analyse(engine)
        engine.dispose()
        os.environ["COOPSCORE_ALLOW_ANONYMOUS_READS"] = "true"  # reads as a dashboard makes them, without a key
        use_database(url)
        app = create_app()
        with serve(app) as base, httpx.Client(base_url=base, timeout=120) as client:
            publish(client)
            started = time.perf_counter()
            client.get(RANKING).raise_for_status()
            print(f"[{kind}] first ranking (input read and scored, then cached): {time.perf_counter() - started:.2f} s")
            for path in (RANKING, EXPLAINED):
                bare_endpoint(app, f"/bare{len(app.routes)}", client.get(path).json)
            preview = client.post("/v1/scores/preview", json={"weights": {"dimension_0": 1.5}}).json()
            bare_endpoint(app, f"/bare{len(app.routes)}", lambda: preview)
            bare_ranking, bare_explained, bare_preview = (route.path for route in app.routes[-3:])  # type: ignore[attr-defined]
            figures = median_latencies(
                client,
                {
                    "ranking": RANKING,
                    "bare ranking": bare_ranking,
                    "explained": EXPLAINED,
                    "bare explained": bare_explained,
                },
                rounds,
            )
            sizes = {"ranking": len(client.get(RANKING).content), "explained": len(client.get(EXPLAINED).content)}
            preview_ms, bare_ms, preview_size = preview_latencies(client, bare_preview, max(5, rounds // 10))
        forget_database()
    for name, target in (("ranking", None), ("explained", 3)):
        ratio = figures[name] / figures[f"bare {name}"]
        goal = f"target <= {target}x" if target else "no target"
        print(f"[{kind}] {name:9s} {figures[name]:8.2f} ms  bare {figures[f'bare {name}']:6.2f} ms  "
              f"ratio {ratio:5.2f}x  ({sizes[name]:,} bytes)  {goal}")  # fmt: skip
    print(f"[{kind}] preview   {preview_ms:8.2f} ms  bare {bare_ms:6.2f} ms  ratio {preview_ms / bare_ms:5.2f}x  "
          f"({preview_size:,} bytes, all {INSTRUMENTS:,} instruments rescored)  target <= 25x")  # fmt: skip


def main() -> None:
    run_benchmark(bench, __doc__ or "", rounds=ROUNDS)


if __name__ == "__main__":
    main()
