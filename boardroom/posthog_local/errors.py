"""PostHog's error responses, with the real status codes, shapes and texts.

PostHog's API renders errors through drf-exceptions-hog as ``{"type", "code", "detail",
"attr"}`` (posthog/exceptions.py, exceptions_hog/handler.py); the legacy capture endpoint
builds the same shape with ``generate_exception_response``. Texts below are PostHog's own
where it has one (DRF ``Throttled``, ``ClickHouseQueryTimeOut``, the OFFSET refusal of
``user_query_validator``, the personal API key authentication messages).
"""

from __future__ import annotations

import json
import math
from typing import Any

OFFSET_NOT_ALLOWED_MESSAGE = (
    "OFFSET is not supported on queries made with a personal API key. "
    "For pagination, use keyset pagination on the `timestamp` column, e.g. "
    "`WHERE timestamp > :last_seen_timestamp ORDER BY timestamp LIMIT N`. "
    "For bulk data extraction, use batch exports: https://posthog.com/docs/cdp/batch-exports"
)
CONCURRENCY_LIMIT_MESSAGE = "Too many queries are running right now — please try again in a moment."
CLICKHOUSE_ERROR_MESSAGE = "ClickHouse error while executing query."
QUERY_TIMEOUT_MESSAGE = (
    "Query has hit the max execution time before completing. See our docs for how to improve "
    "your query performance. You may need to materialize."
)

CLOUDFLARE_524_HTML = """<!DOCTYPE html>
<html lang="en-US">
<head><title>posthog.com | 524: A timeout occurred</title></head>
<body>
<div id="cf-error-details">
<h1><span>A timeout occurred</span> <span>Error code 524</span></h1>
<p>The origin web server timed out responding to this request.</p>
<p>Cloudflare Ray ID: <strong>0000000000000000</strong></p>
</div>
</body>
</html>
"""


class ApiError(Exception):
    """An HTTP error response: raise it anywhere in a handler, the server renders it."""

    def __init__(
        self,
        status: int,
        *,
        type: str,
        code: str,
        detail: str,
        attr: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.payload: dict[str, Any] = {"type": type, "code": code, "detail": detail, "attr": attr}

    def body(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


class HogQLError(ApiError):
    """A query the stand-in refuses: 400 ``validation_error`` as PostHog's query API answers."""

    def __init__(self, detail: str, *, code: str = "hogql_query_error") -> None:
        super().__init__(400, type="validation_error", code=code, detail=detail)


class HogQLSyntaxError(HogQLError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, code="hogql_syntax_error")


def not_authenticated() -> ApiError:
    return ApiError(
        401,
        type="authentication_error",
        code="not_authenticated",
        detail="Authentication credentials were not provided.",
    )


def invalid_personal_api_key() -> ApiError:
    return ApiError(
        401,
        type="authentication_error",
        code="authentication_failed",
        detail="Personal API key found in request Authorization header is invalid.",
    )


def project_not_found() -> ApiError:
    return ApiError(404, type="invalid_request", code="not_found", detail="Project not found.")


def not_found() -> ApiError:
    return ApiError(404, type="invalid_request", code="not_found", detail="Not found.")


def method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        type="invalid_request",
        code="method_not_allowed",
        detail=f'Method "{method}" not allowed.',
    )


def parse_error(detail: str) -> ApiError:
    return ApiError(400, type="invalid_request", code="parse_error", detail=detail)


def invalid_input(detail: str, attr: str | None = None) -> ApiError:
    return ApiError(400, type="validation_error", code="invalid_input", detail=detail, attr=attr)


def throttled(wait_seconds: float) -> ApiError:
    """DRF's ``Throttled`` text; PostHog sends it without a Retry-After header."""
    wait = math.ceil(wait_seconds)
    unit = "second" if wait == 1 else "seconds"
    return ApiError(
        429,
        type="throttled_error",
        code="throttled",
        detail=f"Request was throttled. Expected available in {wait} {unit}.",
    )


def concurrency_limited() -> ApiError:
    return ApiError(429, type="throttled_error", code="throttled", detail=CONCURRENCY_LIMIT_MESSAGE)


def clickhouse_error() -> ApiError:
    return ApiError(500, type="server_error", code="error", detail=CLICKHOUSE_ERROR_MESSAGE)


def query_timeout() -> ApiError:
    return ApiError(504, type="server_error", code="error", detail=QUERY_TIMEOUT_MESSAGE)


def server_error() -> ApiError:
    return ApiError(500, type="server_error", code="error", detail="A server error occurred.")


# Capture endpoint (legacy Django capture's generate_exception_response shapes).


def capture_missing_api_key() -> ApiError:
    return ApiError(
        401,
        type="authentication_error",
        code="missing_api_key",
        detail=(
            "API key not provided. You can find your project API key in PostHog project settings."
        ),
    )


def capture_invalid_api_key() -> ApiError:
    return ApiError(
        401,
        type="authentication_error",
        code="invalid_api_key",
        detail=(
            "Project API key invalid. You can find your project API key in PostHog project "
            "settings."
        ),
    )


def capture_invalid_payload(detail: str) -> ApiError:
    return ApiError(400, type="validation_error", code="invalid_payload", detail=detail)


def capture_too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        type="validation_error",
        code="payload_too_large",
        detail=f"Request body is larger than {limit} bytes.",
    )
