"""Logging for the service: one format, the request id on every line, and no API key in any line.

The request id lives in a context variable that :class:`app.api.http.middleware.RequestId` sets for each request;
the context follows the request into the thread pool that runs plain ``def`` routes, so every line logged
while the request runs can name it.
"""

import logging
import re
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
"""The ``X-Request-ID`` of the request being served, ``-`` outside any request."""

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

SERVER_LOGGERS = ("uvicorn", "uvicorn.access")
"""The loggers uvicorn gives handlers to (``uvicorn.error`` writes through ``uvicorn``)."""

_HANDLER_NAME = "coopscore"
_API_KEY = re.compile(r"\bcs_([0-9a-f]{12})_[A-Za-z0-9_-]+")


class RequestContext(logging.Filter):
    """Stamp each record with the request id, and replace the secret part of any API key in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        message = record.getMessage()
        redacted = _API_KEY.sub(r"cs_\1_[redacted]", message)
        if redacted != message:
            # A key sent where it does not belong (a query string in an access line) must not reach the log.
            record.msg, record.args = redacted, None
        return True


def configure_logging() -> None:
    """Write the service's lines and the server's through one handler whose format shows the request id.

    Safe to run more than once (every ``create_app`` does). uvicorn configures its loggers before it imports
    the application, so their handlers are replaced here; a logger uvicorn left without one (``--no-access-log``)
    stays silent.
    """
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestContext())
    service = logging.getLogger("coopscore")
    service.setLevel(logging.INFO)
    service.handlers = [*(kept for kept in service.handlers if kept.name != _HANDLER_NAME), handler]
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        if server.handlers:
            server.handlers = [handler]
