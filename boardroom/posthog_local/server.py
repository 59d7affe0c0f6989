"""The stand-in's HTTP server: PostHog's capture and query endpoints, plus a control API.

Routes:

- ``POST /batch/``, ``/i/v0/e/`` (also ``/e/``, ``/capture/``): capture, authenticated by the
  project API key in the payload;
- ``POST /api/projects/{id}/query/`` and ``/api/environments/{id}/query/``: HogQL, authenticated
  by ``Authorization: Bearer <personal API key>``; at most ``max_concurrent_queries`` (3, as
  PostHog) in flight per project, beyond that 429;
- ``POST /_local/faults`` (JSON ``{"kind", "count", "after", "endpoint", ...params}``),
  ``DELETE /_local/faults``, ``GET /_local/faults``, ``GET /_local/stats``, ``GET /_health``:
  control for tests and other processes.

Built on ``http.server.ThreadingHTTPServer`` (a daemon thread per connection, HTTP/1.1
keep-alive). Logs go to the ``boardroom.posthog_local`` logger and never carry keys or bodies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from boardroom.posthog_local import errors
from boardroom.posthog_local.capture import build_rows, decode_body, extract_events
from boardroom.posthog_local.errors import ApiError
from boardroom.posthog_local.faults import Fault, Faults
from boardroom.posthog_local.query import QueryRequest, execute
from boardroom.posthog_local.store import EventStore

log = logging.getLogger("boardroom.posthog_local")

MAX_BODY_BYTES = 64 * 1024 * 1024
_CAPTURE_PATHS = frozenset({"/batch", "/i/v0/e", "/e", "/capture", "/track"})
_QUERY_PATH = re.compile(r"^/api/(?:projects|environments)/([^/]+)/query/?$")
_SECRET_IN_URL = re.compile(r"((?:token|api_key|personal_api_key)=)[^&\s]*", re.IGNORECASE)
_COUNTERS = ("query_requests", "capture_requests", "concurrency_limited")


class _Handled(Exception):
    """The request is already answered, or deliberately left unanswered (``drop``)."""


class PostHogLocal:
    """A local PostHog: real request/response shapes over a durable SQLite store.

    ``start()`` serves on a background thread (port 0 picks a free port) and returns self;
    ``stop()`` ends it; the object is also a context manager. ``serve_forever()`` serves in
    the foreground until Ctrl-C or SIGTERM.
    """

    def __init__(
        self,
        data_dir: Path,
        project_id: int,
        project_api_key: str,
        personal_api_key: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_concurrent_queries: int = 3,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.project_id = int(project_id)
        self.project_api_key = project_api_key
        self.personal_api_key = personal_api_key
        self.host = host
        self.port = port
        self.max_concurrent_queries = max_concurrent_queries
        self.faults = Faults()
        self.store = EventStore(self.data_dir)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._counters = dict.fromkeys(_COUNTERS, 0)
        self._running_queries = 0
        self._max_running_queries = 0
        self._in_flight = 0
        self._closing = False
        self._connections: set[socket.socket] = set()

    def __repr__(self) -> str:  # keys stay out of reprs and logs
        return f"PostHogLocal(project_id={self.project_id}, url={self.url!r})"

    # lifecycle -------------------------------------------------------------------------

    def start(self) -> PostHogLocal:
        if self._httpd is not None:
            raise RuntimeError("the PostHog stand-in is already running")
        self.store.open()
        try:
            httpd = _HTTPServer((self.host, self.port), self)
        except OSError:
            self.store.close()
            raise
        self.port = httpd.server_address[1]
        self._closing = False
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"posthog-local:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info(
            "PostHog stand-in for project %s on %s (%d events in %s)",
            self.project_id,
            self.url,
            self.store.count,
            self.store.path,
        )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, let requests in flight finish (up to ``timeout``), close the store."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._idle:
            self._closing = True
            deadline = time.monotonic() + timeout
            while self._in_flight and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive connections: let their threads end
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.store.close()
        log.info("PostHog stand-in on port %s stopped", self.port)

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C (or SIGTERM), then stop cleanly."""
        stop = threading.Event()
        previous: Any = None
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:
            previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.start()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            log.info("interrupted")
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
            self.stop()

    def __enter__(self) -> PostHogLocal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # stats -----------------------------------------------------------------------------

    @property
    def stats(self) -> dict[str, int]:
        """A snapshot: requests per endpoint, events stored, query concurrency reached.

        ``max_concurrent_queries`` counts every query request that was in flight at once,
        including one refused with 429 for going past the limit, so a test can assert that
        a client never tried more than the limit.
        """
        with self._lock:
            return {
                **self._counters,
                "events_stored": self.store.count,
                "concurrent_queries": self._running_queries,
                "max_concurrent_queries": self._max_running_queries,
                "faults_applied": self.faults.applied,
            }

    def reset_stats(self) -> None:
        """Zero the request counters and the concurrency high-water mark."""
        with self._lock:
            self._counters = dict.fromkeys(_COUNTERS, 0)
            self._max_running_queries = self._running_queries

    # request bookkeeping (used by the handler) -----------------------------------------

    def _count(self, name: str) -> None:
        with self._lock:
            self._counters[name] += 1

    @contextlib.contextmanager
    def _request(self) -> Iterator[bool]:
        with self._lock:
            if self._closing:
                accepted = False
            else:
                accepted = True
                self._in_flight += 1
        try:
            yield accepted
        finally:
            if accepted:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

    @contextlib.contextmanager
    def _query_slot(self) -> Iterator[None]:
        with self._lock:
            self._running_queries += 1
            self._max_running_queries = max(self._max_running_queries, self._running_queries)
            if self._running_queries > self.max_concurrent_queries:
                self._running_queries -= 1
                self._counters["concurrency_limited"] += 1
                raise errors.concurrency_limited()
        try:
            yield
        finally:
            with self._lock:
                self._running_queries -= 1

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: PostHogLocal) -> None:
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "posthog-local"
    server: _HTTPServer

    # plumbing --------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # No Nagle: headers and body are two writes, and a keep-alive client would otherwise
        # wait out its own delayed ACK (~40 ms) on every response.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.app._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.app._track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.client_address[0], _SECRET_IN_URL.sub(r"\1***", format % args))

    def log_error(self, format: str, *args: Any) -> None:
        log.warning("%s %s", self.client_address[0], _SECRET_IN_URL.sub(r"\1***", format % args))

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        app = self.server.app
        with app._request() as accepted:
            if not accepted:
                self.close_connection = True
                return
            try:
                body = self._read_body()
                self._route(app, body)
            except _Handled:
                return
            except ApiError as exc:
                self._send(exc.status, exc.body())
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception:
                log.exception("unexpected error serving %s %s", self.command, self._path())
                self._send(500, errors.server_error().body())

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise errors.capture_too_large(MAX_BODY_BYTES)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                raise errors.capture_too_large(MAX_BODY_BYTES)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        self._send(status, body.encode("utf-8", "replace"))

    # routing ---------------------------------------------------------------------------

    def _route(self, app: PostHogLocal, body: bytes) -> None:
        url = urlsplit(self.path)
        path, method = url.path, self.command
        if path.startswith("/_local/") or path == "/_health":
            self._control(app, path, method, body)
            return
        if path.rstrip("/") in _CAPTURE_PATHS:
            if method != "POST":
                raise errors.method_not_allowed(method)
            self._capture(app, body, parse_qs(url.query))
            return
        match = _QUERY_PATH.match(path)
        if match:
            if method != "POST":
                raise errors.method_not_allowed(method)
            self._query(app, match.group(1), body)
            return
        raise errors.not_found()

    def _apply_fault(self, fault: Fault | None) -> float:
        """Answer for a harmful fault (raising); return the delay of a ``slow`` one, else 0."""
        if fault is None:
            return 0.0
        log.debug("fault %s on %s", fault.kind, self._path())
        if fault.kind == "slow":
            return float(fault.params["delay_seconds"])
        if fault.kind == "throttle":
            raise errors.throttled(fault.params["wait_seconds"])
        if fault.kind == "server_error":
            raise errors.clickhouse_error()
        if fault.kind == "timeout":
            raise errors.query_timeout()
        if fault.kind == "cloudflare":
            self._send(524, errors.CLOUDFLARE_524_HTML.encode(), "text/html; charset=UTF-8")
            raise _Handled
        self._abort()
        raise _Handled

    def _abort(self) -> None:
        """Reset the connection (SO_LINGER 0) without writing a byte."""
        self.close_connection = True
        conn = self.connection
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.rfile.close()
        with contextlib.suppress(OSError):
            conn.close()

    # endpoints -------------------------------------------------------------------------

    def _capture(self, app: PostHogLocal, body: bytes, params: dict[str, list[str]]) -> None:
        app._count("capture_requests")
        delay = self._apply_fault(app.faults.take("capture"))
        if delay:
            time.sleep(delay)
        data = decode_body(
            body,
            self.headers.get("Content-Encoding"),
            (params.get("compression") or [None])[0],
        )
        events = extract_events(data, app.project_api_key)
        app.store.insert(build_rows(events, app.store))
        self._send_json(200, {"status": "Ok"})

    def _query(self, app: PostHogLocal, project: str, body: bytes) -> None:
        app._count("query_requests")
        delay = self._apply_fault(app.faults.take("query"))
        self._authenticate(app)
        if project != str(app.project_id):
            raise errors.project_not_found()
        with app._query_slot():
            if delay:
                time.sleep(delay)
            request = _query_request(body)
            response = execute(app.store, app.project_id, request)
        self._send_json(200, response)

    def _authenticate(self, app: PostHogLocal) -> None:
        header = self.headers.get("Authorization") or ""
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise errors.not_authenticated()
        if key.strip() != app.personal_api_key:
            raise errors.invalid_personal_api_key()

    def _control(self, app: PostHogLocal, path: str, method: str, body: bytes) -> None:
        path = path.rstrip("/")
        if path in ("/_health", "/_local/health") and method == "GET":
            self._send_json(200, {"status": "ok", "project_id": app.project_id})
        elif path == "/_local/stats" and method == "GET":
            self._send_json(200, app.stats)
        elif path == "/_local/faults" and method == "GET":
            self._send_json(200, {"faults": app.faults.active()})
        elif path == "/_local/faults" and method == "DELETE":
            app.faults.clear()
            self._send_json(200, {"faults": []})
        elif path == "/_local/faults" and method == "POST":
            spec = _json_object(body)
            kind = spec.pop("kind", None)
            if not isinstance(kind, str):
                raise errors.invalid_input("`kind` is required", attr="kind")
            try:
                app.faults.inject(kind, **spec)
            except (TypeError, ValueError) as exc:
                raise errors.invalid_input(str(exc)) from exc
            self._send_json(200, {"faults": app.faults.active()})
        elif path in ("/_health", "/_local/health", "/_local/stats", "/_local/faults"):
            raise errors.method_not_allowed(method)
        else:
            raise errors.not_found()


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.parse_error(f"JSON parse error - {exc}") from exc
    if not isinstance(data, dict):
        raise errors.parse_error("JSON parse error - expected an object")
    return data


def _query_request(body: bytes) -> QueryRequest:
    data = _json_object(body)
    query = data.get("query")
    if not isinstance(query, dict):
        raise errors.invalid_input("Field required: `query` must be a query object.", attr="query")
    kind = query.get("kind")
    if kind != "HogQLQuery":
        raise errors.invalid_input(
            f"Unsupported query kind {kind!r}: the local PostHog stand-in answers HogQLQuery only.",
            attr="query",
        )
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise errors.invalid_input("`query.query` must be a HogQL string.", attr="query")
    values = query.get("values") or {}
    modifiers = query.get("modifiers") or {}
    if not isinstance(values, dict) or not isinstance(modifiers, dict):
        raise errors.invalid_input("`values` and `modifiers` must be objects.", attr="query")
    return QueryRequest(text, values, modifiers)
