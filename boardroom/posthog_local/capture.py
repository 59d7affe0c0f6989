"""The capture endpoints' payload rules: decode, authenticate, validate, turn into rows.

Accepted shapes (as PostHog's capture reads them):
- the SDKs' batch ``{"api_key", "batch": [...], "sent_at", "historical_migration"}``;
- one event ``{"api_key", "event", "distinct_id", "properties", "timestamp", "uuid"}``;
- a JSON list of events, each carrying its ``api_key`` (or ``token``).

Bodies may be gzipped (``Content-Encoding: gzip``, ``?compression=gzip-js`` or just the gzip
magic bytes). The whole request is refused if any event is invalid, as PostHog's capture does.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid as uuidlib
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from boardroom.posthog_local import errors
from boardroom.posthog_local.store import EventRow, EventStore
from boardroom.posthog_local.timestamps import now_micros, parse_instant

MAX_DISTINCT_ID_LENGTH = 200  # PostHog truncates longer ones
_GZIP_MAGIC = b"\x1f\x8b"
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _properties_encoder() -> Callable[[Any], str]:
    """Compact UTF-8 JSON, as ClickHouse holds ``properties``.

    Calls the C encoder directly when the interpreter has one: ``JSONEncoder.encode`` builds
    a new one on every call, which is a fifth of the capture cost per event.
    """
    public = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return public.encode
    c_encoder = make(None, public.default, json.encoder.encode_basestring, None, ":", ",",
                     False, False, True)  # fmt: skip

    def encode(value: Any) -> str:
        return "".join(c_encoder(value, 0))

    return encode


_encode_properties = _properties_encoder()


def decode_body(body: bytes, content_encoding: str | None, compression: str | None) -> Any:
    """The JSON document of a capture request (400 ``invalid_payload`` when unreadable)."""
    encoding = (content_encoding or "").lower()
    if "gzip" in encoding or (compression or "").startswith("gzip") or body[:2] == _GZIP_MAGIC:
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            raise errors.capture_invalid_payload(
                f"Malformed request data: failed to decompress gzip body: {exc}"
            ) from exc
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.capture_invalid_payload(f"Malformed request data: {exc}") from exc


def extract_events(data: Any, project_api_key: str) -> list[dict[str, Any]]:
    """Authenticate the payload against the project key and return its events."""
    if isinstance(data, Mapping) and "batch" in data:
        token = _token_of(data)
        events = data["batch"]
        if not isinstance(events, list):
            raise errors.capture_invalid_payload(
                "Invalid payload: `batch` must be a list of events"
            )
    elif isinstance(data, Mapping):
        token = _token_of(data)
        events = [data]
    elif isinstance(data, list):
        tokens = {_token_of(e) for e in data if isinstance(e, Mapping)}
        tokens.discard(None)
        if len(tokens) > 1:
            raise errors.capture_invalid_api_key()
        token = next(iter(tokens), None)
        events = data
    else:
        raise errors.capture_invalid_payload("Malformed request data: expected a JSON object")
    if not token:
        raise errors.capture_missing_api_key()
    if token != project_api_key:
        raise errors.capture_invalid_api_key()
    if not events:
        raise errors.capture_invalid_payload("Invalid payload: request holds no event")
    if not all(events):
        raise errors.capture_invalid_payload("Invalid payload: some events are null")
    return events


def _token_of(data: Mapping[str, Any]) -> str | None:
    for key in ("api_key", "token", "$token"):
        value = data.get(key)
        if value:
            return str(value)
    properties = data.get("properties")
    if isinstance(properties, Mapping) and properties.get("token"):
        return str(properties["token"])
    return None


def build_rows(
    events: list[dict[str, Any]], store: EventStore, created_at: int | None = None
) -> list[EventRow]:
    """Validate every event and turn it into a stored row (one ingestion time for the batch)."""
    created = now_micros() if created_at is None else created_at
    return [_row(event, store, created) for event in events]


def _row(event: Any, store: EventStore, created_at: int) -> EventRow:
    if not isinstance(event, dict):
        raise errors.capture_invalid_payload("Invalid payload: every event must be a JSON object")
    name = event.get("event")
    if not name or not isinstance(name, str):
        raise errors.capture_invalid_payload(
            "Invalid payload: event submitted with an empty event name"
        )
    properties = event.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        raise errors.capture_invalid_payload(
            "Invalid payload: Properties must be a JSON object, received "
            f"{type(properties).__name__}!"
        )
    distinct_id = _distinct_id(event, properties)
    event_uuid = _event_uuid(event.get("uuid"))

    raw_ts = event.get("timestamp")
    if raw_ts is None:
        ts_key, ts_ok, ts_raw = created_at, 1, None
    else:
        ts_raw = raw_ts if isinstance(raw_ts, str) else json.dumps(raw_ts)
        parsed = parse_instant(ts_raw)
        ts_key, ts_ok = (0, 0) if parsed is None else (parsed, 1)

    groups = ["", "", "", "", ""]
    declared = properties.get("$groups")
    if isinstance(declared, dict):
        for group_type, key in declared.items():
            if isinstance(key, bool) or not isinstance(key, str | int | float):
                continue
            index = store.group_type_index(str(group_type))
            if index is not None:
                groups[index] = str(key)

    return (
        event_uuid,
        name,
        distinct_id,
        ts_key,
        ts_ok,
        ts_raw,
        created_at,
        _encode_properties(properties),
        *groups,
    )


def _distinct_id(event: Mapping[str, Any], properties: Mapping[str, Any]) -> str:
    for source, key in (
        (event, "$distinct_id"),
        (properties, "distinct_id"),
        (event, "distinct_id"),
    ):
        if key in source:
            value = source[key]
            break
    else:
        raise errors.capture_invalid_payload(
            'Invalid payload: All events must have the event field "distinct_id"!'
        )
    if value is None or value == "" or isinstance(value, dict | list):
        raise errors.capture_invalid_payload(
            'Invalid payload: Event field "distinct_id" should not be blank!'
        )
    return str(value)[:MAX_DISTINCT_ID_LENGTH]


def _event_uuid(value: Any) -> str:
    """The event's uuid in canonical form, or a fresh uuid4 when the event has none."""
    if value is None or value == "":
        return str(uuidlib.uuid4())
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError as exc:
        raise errors.capture_invalid_payload(
            'Invalid payload: Event field "uuid" is not a valid UUID!'
        ) from exc
