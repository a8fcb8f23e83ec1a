"""Latency of the catalogue reads on a large store, each beside a bare FastAPI endpoint of the same payload.

10,000 instruments and 400,000 observations, on SQLite and on PostgreSQL, served by a real uvicorn server.
Prints the median latency of ``GET /v1/instruments?limit=100`` with two filters and of the latest values of
one instrument, beside a bare endpoint returning the same payload in the same run, and their ratio
(target: at most 3x).

    python benchmarks/bench_api.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--rounds 200]
"""

import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.database import make_engine
from app.main import create_app
from benchmarks._fixture import analyse, bare_endpoint, database, load_store, median_latencies, run_benchmark
from tests.servers import serve, use_database

ROUNDS = 200
INSTRUMENTS = 10_000
INDICATORS = 40
EACH = 40
LIST = "/v1/instruments?limit=100&organisation=EU&party=UZB"
LATEST = "/v1/instruments/instrument-04242/observations?as_of=2026-01-01"


def bench(kind: str, postgres: str | None, rounds: int, directory: str) -> None:
    """Load the store on one database and print the figures."""
    with database(kind, postgres, directory) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        load_store(engine, instruments=INSTRUMENTS, indicators=INDICATORS, observations_per_instrument=EACH)
        analyse(engine)
        print(f"[{kind}] loaded {INSTRUMENTS:,} instruments, {INSTRUMENTS * EACH:,} observations "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        os.environ["COOPSCORE_ALLOW_ANONYMOUS_READS"] = "true"  # reads as a dashboard makes them, without a key
        use_database(url)
        app = create_app()
        with serve(app) as base, httpx.Client(base_url=base) as client:
            for path in (LIST, LATEST):
                body = client.get(path)
                body.raise_for_status()
                bare_endpoint(app, f"/bare{len(app.routes)}", body.json)
            bare_list, bare_latest = (route.path for route in app.routes[-2:])  # type: ignore[attr-defined]
            figures = median_latencies(
                client, {"list": LIST, "bare list": bare_list, "latest": LATEST, "bare latest": bare_latest}, rounds
            )
            sizes = {name: len(client.get(path).content) for name, path in (("list", LIST), ("latest", LATEST))}
        engine.dispose()
    for name in ("list", "latest"):
        ratio = figures[name] / figures[f"bare {name}"]
        print(f"[{kind}] {name:6s} {figures[name]:7.2f} ms  bare {figures[f'bare {name}']:7.2f} ms  "
              f"ratio {ratio:4.2f}x  ({sizes[name]:,} bytes)  target <= 3x")  # fmt: skip


def main() -> None:
    run_benchmark(bench, __doc__ or "", rounds=ROUNDS)


if __name__ == "__main__":
    main()
