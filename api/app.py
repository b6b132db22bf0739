"""The ASGI app: Open311 and CAP routers, Open311-shaped errors, the access log, an accurate OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException

from api import cap_feed, open311
from api.access import access_log
from api.config import ApiConfig
from api.formats import error_response
from api.ratelimit import RateLimiter
from api.schemas import MODELS
from api.signing import AlertSigner
from lake import SERVICE, Lake

TITLE = "API IOC Huế / Huế IOC API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Phản ánh hiện trường theo Open311 GeoReport v2 (chỉ đọc, không có dữ liệu cá nhân) và cảnh báo do IOC "
    "phát hành theo CAP 1.2 (Atom). Citizen reports as Open311 GeoReport v2 (read only, no personal data) "
    "and the IOC's warnings as CAP 1.2 over Atom. Partners send their key in `X-API-Key` or `api_key`; "
    "without a key the public rate limit applies. Times are ISO 8601 in Vietnam time (+07:00)."
)


def _validation_error(request: Request, exc: RequestValidationError) -> Any:
    errors = exc.errors()
    # an unknown format suffix is an unknown resource, as in GeoReport v2; any other bad value is a 400
    if any(tuple(e.get("loc", ()))[:2] == ("path", "fmt") for e in errors):
        return error_response(request.url.path, 404, "Định dạng chỉ có .json hoặc .xml / format must be json or xml")
    parts = []
    for e in errors:
        loc = ".".join(str(p) for p in e.get("loc", ())[1:]) or "request"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return error_response(request.url.path, 400, "Tham số không hợp lệ / invalid parameter: " + "; ".join(parts))


def _http_error(request: Request, exc: HTTPException) -> Any:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(request.url.path, exc.status_code, detail, exc.headers)


def _drop_null(param: dict[str, Any]) -> None:
    """An optional query parameter is absent, never null: ``anyOf [X, null]`` becomes ``X``."""
    schema = param.get("schema", {})
    kinds = schema.get("anyOf")
    if kinds and {"type": "null"} in kinds and len(kinds) == 2:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        param["schema"] = {**next(k for k in kinds if k != {"type": "null"}), **rest}


def _openapi(app: FastAPI, allow_anonymous: bool) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    doc = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=app.routes)
    _, defs = models_json_schema([(m, "serialization") for m in MODELS],
                                 ref_template="#/components/schemas/{model}")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(defs.get("$defs", {}))
    for name in ("HTTPValidationError", "ValidationError"):  # we answer 400 in the Open311 shape instead
        schemas.pop(name, None)
    for item in doc.get("paths", {}).values():
        for op in item.values():
            op.get("responses", {}).pop("422", None)
            for param in op.get("parameters", []):
                _drop_null(param)
            if allow_anonymous and op.get("security"):
                op["security"].insert(0, {})  # no key at all is accepted too (public rate limit)
    app.openapi_schema = doc
    return doc


def create_app(lake: Lake | None = None, config: ApiConfig | None = None) -> FastAPI:
    """The API over ``lake`` (default: the configured lake, re-read at most every couple of seconds)."""
    cfg = config or ApiConfig.from_settings()
    if lake is None:
        from core.settings import settings

        lake = Lake.open(settings().lake, max_staleness_s=cfg.lake_staleness_s, role=SERVICE)
    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION, docs_url="/docs", redoc_url=None)
    app.state.config = cfg
    app.state.lake = lake
    app.state.limiter = RateLimiter()
    app.state.signer = (AlertSigner.from_files(cfg.signing_key, cfg.signing_cert)
                        if cfg.signing_key and cfg.signing_cert else None)
    app.include_router(open311.router)
    app.include_router(cap_feed.router)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.middleware("http")(access_log)
    app.openapi = lambda: _openapi(app, cfg.allow_anonymous)  # type: ignore[method-assign]
    return app
