"""The shapes the API answers with, for the OpenAPI document (JSON models and their XML forms)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Fmt(StrEnum):
    json = "json"
    xml = "xml"


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class Error(BaseModel):
    code: int
    description: str


class Endpoint(BaseModel):
    specification: str
    url: str
    changeset: dt.datetime
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(BaseModel):
    changeset: dt.datetime
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[dict[str, Any]] = Field(description="Không có thuộc tính bổ sung / no extra attributes")


class ServiceRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime | None
    expected_datetime: dt.datetime | None
    address: str | None
    lat: float | None
    long: float | None


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _xml_list(model: type[BaseModel], wrapper: str, item: str) -> dict[str, Any]:
    return {"type": "array", "items": {**_ref(model), "xml": {"name": item}},
            "xml": {"name": wrapper, "wrapped": True}}


ERROR_CONTENT = {
    "application/json": {"schema": {"type": "array", "items": _ref(Error)}},
    "application/xml": {"schema": _xml_list(Error, "errors", "error")},
}
RETRY_AFTER = {"Retry-After": {"description": "Số giây cần chờ / seconds to wait",
                               "schema": {"type": "integer"}, "required": True}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Tham số không hợp lệ / invalid parameter", "content": ERROR_CONTENT},
    401: {"description": "Khóa API không hợp lệ hoặc thiếu / invalid or missing API key", "content": ERROR_CONTENT},
    404: {"description": "Không tìm thấy / not found", "content": ERROR_CONTENT},
    429: {"description": "Vượt giới hạn số yêu cầu / rate limit exceeded", "content": ERROR_CONTENT,
          "headers": RETRY_AFTER},
}


def list_responses(model: type[BaseModel], wrapper: str, item: str, what: str) -> dict[int | str, Any]:
    """200 as a JSON array or an XML ``<wrapper><item/>…</wrapper>``, plus the error answers."""
    return {200: {"description": what, "content": {
        "application/json": {"schema": {"type": "array", "items": _ref(model)}},
        "application/xml": {"schema": _xml_list(model, wrapper, item)}}}, **ERRORS}


def object_responses(model: type[BaseModel], root: str, what: str) -> dict[int | str, Any]:
    return {200: {"description": what, "content": {
        "application/json": {"schema": _ref(model)},
        "application/xml": {"schema": {**_ref(model), "xml": {"name": root}}}}}, **ERRORS}


MODELS: list[type[BaseModel]] = [Error, Endpoint, Discovery, Service, ServiceDefinition, ServiceRequest]
