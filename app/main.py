"""The FastAPI application: routers, problem handlers, and the query-string guard."""

from fastapi import Depends, FastAPI

from app.api.deps import refuse_unknown_query_parameters
from app.api.http.docs import install_docs
from app.api.http.limits import BodySizeLimit, require_json_body
from app.api.http.metrics import install_metrics
from app.api.http.middleware import install_middleware
from app.api.http.openapi import install_openapi, operation_id
from app.api.http.problems import install_problem_handlers
from app.api.http.rate_limits import RateLimits, TokenBuckets
from app.api.routes import admin, health, indicators, instruments, observations, rubrics, scores
from app.logging import configure_logging
from app.services.scores.caches import ScoreCaches
from app.settings import get_settings

DESCRIPTION = """
Stores the legal instruments of interstate cooperation against illegal migration, with evaluated
indicators and their evidence, and scores how effective each instrument is.

Every error is an `application/problem+json` document (RFC 9457); validation errors list each bad field's path.
"""


def create_app() -> FastAPI:
    """Build the application."""
    configure_logging()
    app = FastAPI(
        title="coopscore",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_unknown_query_parameters), Depends(require_json_body)],
        generate_unique_id_function=operation_id,
    )
    settings = get_settings()
    app.state.rate_limits = RateLimits(
        requests=TokenBuckets(settings.requests_per_minute), failures=TokenBuckets(settings.failed_keys_per_minute)
    )
    app.state.score_caches = ScoreCaches()
    app.state.query_names = {}
    install_problem_handlers(app)
    install_openapi(app)
    install_docs(app)
    app.add_middleware(BodySizeLimit, max_bytes=get_settings().max_body_bytes)
    install_middleware(app, get_settings())
    install_metrics(app)
    app.include_router(health.router)
    app.include_router(instruments.router)
    app.include_router(observations.router)
    app.include_router(indicators.router)
    app.include_router(rubrics.router)
    app.include_router(scores.router)
    app.include_router(admin.router)
    return app


app = create_app()
