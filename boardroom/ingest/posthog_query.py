"""A client for PostHog's HogQL query API: auth, bounded concurrency, retries, clear errors.

``POST {host}/api/projects/{project_id}/query/`` with ``Authorization: Bearer <personal key>``
and a ``HogQLQuery`` body. Every request sends ``refresh: "force_blocking"`` (PostHog would
otherwise serve a cached answer up to 6 h old) and ``convertToProjectTimezone: false`` (all
instants stay in UTC). Values always travel in ``values`` and are bound by PostHog to the
``{placeholders}`` of the query text; this module never formats a value into HogQL.

Concurrency. PostHog runs at most 3 queries at once per project and answers a fourth with
429. Every client of one (host, project) in this process shares one semaphore (the size of
the first client's ``max_concurrency``, at most 3), held from sending a request until its
response body has been consumed, so threads of one run, or several runs in one process,
never have more than 3 queries in flight. (Runs in *other* processes are not covered: give
them a Dagster concurrency pool if several may pull the same project at once.)

Retries, with tenacity (the semaphore is released while waiting):

- 429 with "Expected available in N seconds" waits N seconds (PostHog sends no Retry-After);
  if N is more than ``max_throttle_wait_seconds`` the run fails at once with a message
  saying so, rather than sleeping for an hour inside a run. A 429 without a wait (the
  concurrency limit) backs off like a server error.
- 5xx (500 ClickHouse error, 502, 503 capacity, 504 timeout), Cloudflare's 524, dropped or
  reset connections, read timeouts and truncated bodies: exponential backoff with jitter.
- 400, 401, 403, 404 and 512 are never retried: they raise a :class:`PostHogQueryError`
  subclass whose message carries PostHog's ``detail`` and what to do about it, never the key.

Responses are consumed as a stream of byte chunks (:meth:`PostHogQueryClient.stream`), so a
50,000-row page goes to its destination without being held in memory as Python objects.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Rows PostHog returns at most per query (posthog/hogql/constants.py).
MAX_PAGE_SIZE = 50_000
#: Queries PostHog runs at once per project.
POSTHOG_MAX_CONCURRENCY = 3
# Small reads on purpose: with allocations above glibc's mmap threshold (128 KiB), freed
# buffers raise that threshold and later ones fragment the heap; the resident set then grows
# page after page (measured: 165 MB instead of 47 MB for 600k events with 3 workers).
_CHUNK_BYTES = 16 * 1024
_THROTTLE_WAIT = re.compile(r"Expected available in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
_USER_AGENT = "boardroom-ingest/0.1 (+requests)"


class PostHogQueryError(RuntimeError):
    """A query failed for good; the message says why and what to do (it never holds a key)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class PostHogAuthError(PostHogQueryError):
    """401/403: the personal API key is wrong, expired, or lacks the Query Read scope."""


class PostHogNotFoundError(PostHogQueryError):
    """404: no such project for this key (or a wrong host)."""


class PostHogBadQueryError(PostHogQueryError):
    """400 (or 512): PostHog refused the query itself; retrying would not help."""


class PostHogThrottledError(PostHogQueryError):
    """429 asking for a longer wait than the configured maximum."""


class PostHogUnavailableError(PostHogQueryError):
    """5xx, 524 or network failures that outlasted every retry."""


class ResponseInterrupted(Exception):
    """Raised by a ``consume`` callback when the body ended early: the query is retried."""


class _Retryable(Exception):
    """A failure worth another attempt; ``wait`` is PostHog's own wait when it named one."""

    def __init__(self, message: str, *, wait: float | None = None, status: int | None = None):
        super().__init__(message)
        self.wait = wait
        self.status = status


@dataclass
class QueryStats:
    """Counters of one client (thread-safe increments through :meth:`add`)."""

    queries: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    throttled: int = 0
    seconds_waiting: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {
                "queries": self.queries,
                "retries": self.retries,
                "throttled": self.throttled,
                "seconds_waiting": self.seconds_waiting,
            }


_SEMAPHORES: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SEMAPHORES_LOCK = threading.Lock()


def project_semaphore(host: str, project_id: int, size: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore bounding queries in flight to one PostHog project."""
    key = (host.rstrip("/").lower(), int(project_id))
    with _SEMAPHORES_LOCK:
        semaphore = _SEMAPHORES.get(key)
        if semaphore is None:
            semaphore = threading.BoundedSemaphore(max(1, min(size, POSTHOG_MAX_CONCURRENCY)))
            _SEMAPHORES[key] = semaphore
        return semaphore


class PostHogQueryClient:
    """HogQL queries against one PostHog project with a personal API key (``phx_...``).

    Thread-safe: each thread gets its own :class:`requests.Session` (connection reuse).
    ``backoff_initial_seconds``/``backoff_max_seconds`` shape the exponential backoff of
    retryable failures; ``max_retries`` bounds the retries of one query; ``page_size`` and
    ``max_concurrency`` are what pagers (:func:`boardroom.ingest.events.ingest_events`) use
    by default.
    """

    def __init__(
        self,
        host: str,
        project_id: int,
        personal_api_key: str,
        *,
        timeout_seconds: float = 60.0,
        connect_timeout_seconds: float = 10.0,
        max_retries: int = 8,
        max_throttle_wait_seconds: float = 300.0,
        max_concurrency: int = POSTHOG_MAX_CONCURRENCY,
        backoff_initial_seconds: float = 1.0,
        backoff_max_seconds: float = 60.0,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        if not host:
            raise ValueError("PostHog host is required (e.g. https://eu.posthog.com)")
        if not personal_api_key:
            raise PostHogAuthError(
                "No PostHog personal API key configured: set POSTHOG_PERSONAL_API_KEY to a "
                "personal key (phx_...) with the Query Read scope."
            )
        self.host = host.rstrip("/")
        self.project_id = int(project_id)
        self._key = personal_api_key
        self.timeout = (connect_timeout_seconds, timeout_seconds)
        self.max_retries = max(0, int(max_retries))
        self.max_throttle_wait_seconds = float(max_throttle_wait_seconds)
        self.max_concurrency = max(1, min(int(max_concurrency), POSTHOG_MAX_CONCURRENCY))
        self.backoff_initial_seconds = backoff_initial_seconds
        self.backoff_max_seconds = backoff_max_seconds
        #: Rows per page for pagers using this client (PostHog caps LIMIT at 50,000).
        self.page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        self.stats = QueryStats()
        self._semaphore = project_semaphore(self.host, self.project_id, self.max_concurrency)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:  # the key never shows
        return f"PostHogQueryClient(host={self.host!r}, project_id={self.project_id})"

    @property
    def url(self) -> str:
        return f"{self.host}/api/projects/{self.project_id}/query/"

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self._local = threading.local()

    def __enter__(self) -> PostHogQueryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public API ------------------------------------------------------------------------

    def query(self, hogql: str, values: dict[str, Any] | None = None, *, name: str = "boardroom"):
        """Run a query and return PostHog's whole JSON response (for small answers)."""
        return self.stream(hogql, values, lambda chunks: json.loads(b"".join(chunks)), name=name)

    def stream(
        self,
        hogql: str,
        values: dict[str, Any] | None,
        consume: Callable[[Iterator[bytes]], T],
        *,
        name: str = "boardroom",
    ) -> T:
        """Run a query and hand the 200 response body, as byte chunks, to ``consume``.

        ``consume`` runs inside the retry: if the connection drops while it reads, it raises
        and is called again with a fresh response, so it must start from scratch each time
        (e.g. write into a savepoint). Its return value is returned.
        """
        body = {
            "query": {
                "kind": "HogQLQuery",
                "query": hogql,
                "values": values or {},
                "modifiers": {"convertToProjectTimezone": False},
            },
            "refresh": "force_blocking",
            "name": name,
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=self._before_sleep,
            sleep=self._sleep,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(payload, consume)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise PostHogUnavailableError(
                f"PostHog query API at {self.url} still failing after "
                f"{self.max_retries} retries: {last}. PostHog may be degraded; the run can be "
                "retried later and will load the same data (loading is idempotent).",
                status=getattr(last, "status", None),
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # one attempt -----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self._key}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": _USER_AGENT,
                }
            )
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _attempt(self, payload: bytes, consume: Callable[[Iterator[bytes]], T]) -> T:
        with self._semaphore:
            self.stats.add(queries=1)
            try:
                response = self._session().post(
                    self.url, data=payload, timeout=self.timeout, stream=True
                )
            except requests.Timeout as exc:
                raise _Retryable(f"request timed out ({type(exc).__name__})") from exc
            except requests.ConnectionError as exc:
                raise _Retryable(f"connection failed or dropped ({_short(exc)})") from exc
            with response:
                if response.status_code != 200:
                    self._raise_for(response)
                try:
                    return consume(response.iter_content(chunk_size=_CHUNK_BYTES))
                except (requests.ConnectionError, requests.Timeout) as exc:
                    raise _Retryable(f"response interrupted ({_short(exc)})") from exc
                except requests.exceptions.ChunkedEncodingError as exc:
                    raise _Retryable(f"response truncated ({_short(exc)})") from exc
                except ResponseInterrupted as exc:
                    raise _Retryable(f"response incomplete ({exc})") from exc

    def _raise_for(self, response: requests.Response) -> None:
        status = response.status_code
        try:
            text = response.content.decode("utf-8", "replace")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Retryable(f"HTTP {status}, body lost ({_short(exc)})", status=status) from exc
        detail, code = _error_detail(text)
        if status == 429:
            match = _THROTTLE_WAIT.search(detail)
            retry_after = response.headers.get("Retry-After", "")
            if match is not None:
                wait = float(match.group(1))
            elif retry_after.strip().isdigit():  # PostHog sends none, a proxy might
                wait = float(retry_after)
            else:  # the concurrency limit: back off like a server error
                raise _Retryable(f"429 throttled: {detail}", status=status)
            if wait > self.max_throttle_wait_seconds:
                raise PostHogThrottledError(
                    f"PostHog throttled the query API and asks to wait {wait:g} seconds, more "
                    f"than the configured maximum of {self.max_throttle_wait_seconds:g} s "
                    "(max_throttle_wait_seconds). The project's hourly query budget is "
                    "probably used up; re-run later or raise the maximum.",
                    status=status,
                    code=code,
                )
            raise _Retryable(f"429 throttled, waiting {wait:g} s", wait=wait, status=status)
        if status in (401, 403):
            raise PostHogAuthError(
                f"PostHog rejected the personal API key ({status} {code or ''}: {detail}). "
                "Set POSTHOG_PERSONAL_API_KEY to a personal API key (phx_..., not the phc_ "
                "project key) with the Query Read scope for project "
                f"{self.project_id}.",
                status=status,
                code=code,
            )
        if status == 404:
            raise PostHogNotFoundError(
                f"PostHog answered 404 for {self.url} ({detail}): check POSTHOG_HOST and "
                "POSTHOG_PROJECT_ID, and that the key can access that project.",
                status=status,
                code=code,
            )
        if status == 512:
            raise PostHogBadQueryError(
                f"PostHog estimates the query would run too long (512: {detail}); lower the "
                "page size.",
                status=status,
                code=code,
            )
        if status >= 500:  # 500, 502, 503, 504, 524 and friends
            what = "Cloudflare timeout" if status == 524 else detail
            raise _Retryable(f"HTTP {status}: {what}", status=status)
        raise PostHogBadQueryError(
            f"PostHog refused the query ({status} {code or ''}): {detail}",
            status=status,
            code=code,
        )

    # tenacity hooks --------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return exc.wait
        backoff = wait_exponential_jitter(
            multiplier=self.backoff_initial_seconds,
            max=self.backoff_max_seconds,
            jitter=self.backoff_initial_seconds,
        )
        return backoff(state)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        throttled = isinstance(exc, _Retryable) and exc.status == 429
        self.stats.add(retries=1, throttled=int(throttled), seconds_waiting=wait)
        log.warning(
            "PostHog query attempt %d failed (%s); retrying in %.1f s",
            state.attempt_number,
            exc,
            wait,
        )

    @staticmethod
    def _sleep(seconds: float) -> None:
        time.sleep(seconds)


def _error_detail(text: str) -> tuple[str, str | None]:
    """PostHog's ``detail`` and ``code`` from an error body (HTML pages summarised)."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        detail = data.get("detail") or data.get("error") or text
        return str(detail)[:2000], data.get("code")
    stripped = re.sub(r"<[^>]+>", " ", text)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return (stripped[:300] or "empty response"), None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def posthog_instant(value: Any) -> datetime | None:
    """A timestamp as PostHog's query API returns it (ISO text, ``Z`` or an offset, or
    naive UTC) as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
