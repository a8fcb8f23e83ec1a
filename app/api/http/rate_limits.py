"""Rate limits: a token bucket per key (or per address for anonymous reads), and a stricter one per address
for requests with a bad key, so that guessing keys is slow. Limits are per process."""

import math
import threading
import time
from dataclasses import dataclass, field

from app.errors import AppError


class TooManyRequests(AppError):
    """The caller used up its requests for now; ``Retry-After`` says when to come back."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"Too many requests; try again in {seconds} s.")
        self.headers["Retry-After"] = str(seconds)


@dataclass
class TokenBuckets:
    """Buckets of ``per_minute`` tokens, refilled continuously, one per name."""

    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> None:
        """Spend one token of ``name``'s bucket, or raise TooManyRequests when it is empty."""
        wait = self.wait(name, spend=True)
        if wait:
            raise TooManyRequests(wait)

    def wait(self, name: str, *, spend: bool = False) -> float:
        """Seconds until ``name`` has a token (0 when it has one now, which ``spend`` then uses)."""
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(name, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens < 1.0:
                self._buckets[name] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[name] = (tokens - 1.0 if spend else tokens, now)
            return 0.0


@dataclass
class RateLimits:
    """The application's limits: requests per caller, and bad keys per address."""

    requests: TokenBuckets
    failures: TokenBuckets
