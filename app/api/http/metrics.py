"""``GET /metrics``: request counts and latencies per route, in the Prometheus text format.

Each application has its own registry, so several apps in one process (tests) never share counters. The
route label is the route's template (``/v1/instruments/{id}``), never the raw path, so ids cannot blow up
the number of series.
"""

import time

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(tags=["health"])


class RequestMetrics:
    """The counters of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coopscore_requests", "Requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "coopscore_request_seconds", "Time to answer a request", ["method", "route"], registry=self.registry
        )


class MetricsMiddleware:
    """Count every request and time it, labelled by the route that served it."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> None:
    """Give the application its counters, their middleware and the ``/metrics`` route."""
    app.state.metrics = RequestMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.include_router(router)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def read_metrics(request: Request) -> Response:
    """Request counts and latencies per route, for Prometheus."""
    metrics: RequestMetrics = request.app.state.metrics
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
