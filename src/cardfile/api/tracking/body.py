"""A tracking request's body: read within Segment's limits, inflated, parsed.

Limits are measured on the JSON itself, after inflating: 32 KB for a single call, 500 KB
for a batch. A body is read in chunks and reading stops as soon as it passes its limit, and a
gzip body is inflated only up to the limit, so neither a huge upload nor a small gzip bomb
costs more than the limit in memory.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from starlette.requests import Request

from cardfile.ingest.events.messages import MAX_MESSAGE_BYTES

MAX_BATCH_BYTES = 500 << 10
MAX_BATCH_EVENTS = 2500
# gzip of JSON is smaller than the JSON except for tiny or random bodies; this slack covers
# those without letting a compressed upload grow far past the limit.
_GZIP_SLACK = 16 << 10
# wbits 32 + 15: zlib detects a gzip or a zlib header itself ("deflate" as HTTP means it).
_AUTO_HEADER = 32 + zlib.MAX_WBITS


class BadRequest(Exception):
    """A body the API answers 400 to, with Segment's ``{"code", "message"}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _too_large(limit: int) -> BadRequest:
    if limit == MAX_MESSAGE_BYTES:
        return BadRequest("message_too_large", f"a message must be at most {limit} bytes")
    return BadRequest("batch_too_large", f"a batch must be at most {limit} bytes")


async def read(request: Request, limit: int) -> bytes:
    """The request's JSON bytes, inflated; at most ``limit`` of them.

    Raises:
        BadRequest: Too large, an encoding other than gzip/deflate, or a broken gzip stream.
    """
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        compressed = False
    elif encoding in ("gzip", "x-gzip", "deflate"):
        compressed = True
    else:
        raise BadRequest("unsupported_encoding", f"Content-Encoding {encoding!r} is not accepted")
    cap = limit + _GZIP_SLACK if compressed else limit
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    return _inflate(raw, limit) if compressed and raw else raw


def _inflate(raw: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(_AUTO_HEADER)
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise BadRequest("invalid_gzip", f"the body could not be inflated: {error}") from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise _too_large(limit)
    if not inflater.eof:
        raise BadRequest("invalid_gzip", "the compressed body is truncated")
    return body


def _no_constants(name: str) -> Any:
    # NaN and Infinity are not JSON; stored, they would make the event log unreadable.
    raise ValueError(f"{name} is not a JSON value")


def parse(body: bytes) -> dict[str, Any]:
    """The body as a JSON object.

    Raises:
        BadRequest: Not JSON, or JSON but not an object.
    """
    try:
        data = json.loads(body, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise BadRequest("invalid_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest("invalid_json", "the body must be a JSON object")
    return data
