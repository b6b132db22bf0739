"""Who is calling: partner API keys (``X-API-Key`` header or ``api_key`` query parameter), anonymous
access at a lower rate, a token bucket per key or address, and an access log that never shows a key."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, APIKeyQuery

from api.formats import ApiError

log = logging.getLogger("hue_ioc.api.access")
KEY_HEADER = "X-API-Key"
KEY_PARAM = "api_key"
header_key = APIKeyHeader(name=KEY_HEADER, auto_error=False, scheme_name="ApiKeyHeader",
                          description="Khóa API của đối tác / partner API key")
query_key = APIKeyQuery(name=KEY_PARAM, auto_error=False, scheme_name="ApiKeyQuery",
                        description="Khóa API của đối tác / partner API key")


def partner_of(keys: dict[str, str], key: str) -> str | None:
    """The partner a key belongs to (compared in constant time), None when unknown."""
    found = None
    given = key.encode("utf-8", "surrogatepass")
    for known, partner in keys.items():
        if hmac.compare_digest(known.encode("utf-8"), given):
            found = partner
    return found


def caller(request: Request, header: str | None = Security(header_key),
           query: str | None = Security(query_key)) -> str | None:
    """Authenticate and rate-limit one request; returns the partner name (None when anonymous)."""
    cfg = request.app.state.config
    key = header or query
    if key:
        partner = partner_of(cfg.keys, key)
        if partner is None:
            raise ApiError(401, "Khóa API không hợp lệ / invalid API key")
        who = "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        rate = cfg.rate_per_minute
    else:
        if not cfg.allow_anonymous:
            raise ApiError(401, "Cần khóa API / an API key is required")
        partner = None
        who = "ip:" + (request.client.host if request.client else "unknown")
        rate = cfg.anonymous_rate_per_minute
    wait = request.app.state.limiter.take(who, rate)
    if wait > 0:
        seconds = str(math.ceil(wait)) if math.isfinite(wait) else "3600"
        raise ApiError(429, "Vượt giới hạn số yêu cầu, thử lại sau / rate limit exceeded, retry later",
                       headers={"Retry-After": seconds})
    request.state.partner = partner
    return partner


def redacted_query(query: str) -> str:
    """The query string with every API key value replaced by ***."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "***" if k == KEY_PARAM else v) for k, v in pairs], safe="*")


async def access_log(request: Request, call_next):  # noqa: ANN201 - Starlette middleware signature
    response = await call_next(request)
    query = redacted_query(request.url.query)
    partner = getattr(request.state, "partner", None) or "-"
    client = request.client.host if request.client else "-"
    log.info("%s %s %s%s %d partner=%s", client, request.method, request.url.path,
             f"?{query}" if query else "", response.status_code, partner)
    return response
