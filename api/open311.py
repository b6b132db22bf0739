"""Open311 GeoReport v2, read side: discovery, services, service definitions and service requests.

Paths end in ``.json`` or ``.xml`` as in GeoReport v2. Everything is read through ``views.open311``,
which publishes validated reports only and never a reporter's name or phone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, Security

from api.access import caller
from api.formats import ApiError, json_response, xml_document, xml_response
from api.schemas import (
    Discovery,
    Fmt,
    Lang,
    Service,
    ServiceDefinition,
    ServiceRequest,
    list_responses,
    object_responses,
)
from core.tz import VN_TZ
from views import open311 as view

SPEC = "http://wiki.open311.org/GeoReport_v2"
# when this API's description last changed (GeoReport's "changeset" of the discovery document)
CHANGESET = dt.datetime(2026, 11, 29, 0, 0, tzinfo=VN_TZ)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:(?P<second>\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
STATUS_PATTERN = r"^(open|closed)(,(open|closed))*$"

router = APIRouter(prefix="/open311", tags=["Open311 GeoReport v2"], dependencies=[Security(caller)])


def base_url(request: Request) -> str:
    public = request.app.state.config.public_url
    return (public or str(request.base_url)).rstrip("/")


def _listing(fmt: Fmt, items: list[dict[str, Any]], wrapper: str, item: str) -> Response:
    if fmt is Fmt.xml:
        return xml_response(xml_document(wrapper, item=item, items=items))
    return json_response(items)


def _moment(value: str | None, name: str) -> dt.datetime | None:
    """A filter time in RFC 3339 (an offset or Z is required), as UTC. A leap second reads as :59; a
    moment beyond what a datetime holds in UTC (year 1 or 9999 near the edge) is clamped to that edge."""
    if value is None:
        return None
    m = RFC3339.match(value)
    if m is None:
        raise ApiError(400, f"{name}: cần thời điểm RFC 3339 có múi giờ / need an RFC 3339 date-time with "
                            f"an offset, e.g. 2022-05-01T00:00:00+07:00")
    text = value[:17] + "59" + value[19:] if m.group("second") == "60" else value
    try:
        moment = dt.datetime.fromisoformat(text.replace("t", "T").replace("z", "Z"))
    except ValueError as exc:
        raise ApiError(400, f"{name}: thời điểm không hợp lệ / invalid date-time: {exc}") from None
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if moment.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def _csv(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


@router.get("/discovery.{fmt}", summary="Discovery: where and how to reach this GeoReport v2 service",
            response_class=Response, responses=object_responses(Discovery, "discovery", "Discovery document"))
def discovery(request: Request, fmt: Fmt) -> Response:
    cfg = request.app.state.config
    doc = {
        "changeset": CHANGESET, "contact": cfg.contact, "key_service": cfg.key_service,
        "endpoints": [{"specification": SPEC, "url": f"{base_url(request)}/open311/v2", "changeset": CHANGESET,
                       "type": "production", "formats": ["application/json", "text/xml"]}],
    }
    if fmt is Fmt.xml:
        return xml_response(xml_document("discovery", doc, item_tags={"endpoints": "endpoint",
                                                                      "formats": "format"}))
    return json_response(doc)


@router.get("/v2/services.{fmt}", summary="Services: the categories citizens report under",
            response_class=Response, responses=list_responses(Service, "services", "service", "Services"))
def services(request: Request, fmt: Fmt, lang: Lang = Lang.vi) -> Response:
    return _listing(fmt, view.services(request.app.state.lake, lang.value), "services", "service")


@router.get("/v2/services/{service_code}.{fmt}", summary="Service definition (no extra attributes)",
            response_class=Response,
            responses=object_responses(ServiceDefinition, "service_definition", "Service definition"))
def service_definition(request: Request, service_code: str, fmt: Fmt) -> Response:
    if view.service(request.app.state.lake, service_code) is None:
        raise ApiError(404, "Không có dịch vụ này / no such service_code")
    doc = {"service_code": service_code, "attributes": []}
    if fmt is Fmt.xml:
        return xml_response(xml_document("service_definition", doc, item_tags={"attributes": "attribute"}))
    return json_response(doc)


@router.get("/v2/requests.{fmt}", summary="Service requests: published citizen reports, newest first",
            description=("Chỉ phản ánh đã được xác nhận hợp lệ (đang xử lý hoặc đã xử lý), mới nhất trước, "
                         "phân trang. Validated reports only (open or closed), newest first, paginated; unlike "
                         "GeoReport's default, no 90-day window applies when no date is given."),
            response_class=Response,
            responses=list_responses(ServiceRequest, "service_requests", "request", "Service requests"))
def service_requests(
    request: Request,
    fmt: Fmt,
    service_request_id: Annotated[str | None, Query(description=(
        "Mã phản ánh, phân cách bởi dấu phẩy; bỏ qua mọi bộ lọc khác / comma-separated ids; overrides every "
        "other filter"))] = None,
    service_code: Annotated[str | None, Query(description="Mã lĩnh vực, phân cách bởi dấu phẩy / "
                                                          "comma-separated")] = None,
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN,
                                        description="open, closed hoặc open,closed")] = None,
    start_date: Annotated[str | None, Query(json_schema_extra={"format": "date-time"}, description=(
        "Nhận từ (gồm) / received at or after (RFC 3339, with an offset)"))] = None,
    end_date: Annotated[str | None, Query(json_schema_extra={"format": "date-time"},
                                          description="Nhận đến (gồm) / received at or before")] = None,
    updated_after: Annotated[str | None, Query(json_schema_extra={"format": "date-time"},
                                               description="Cập nhật sau / updated strictly after")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Trang (từ 1) / page, from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000, description="Số yêu cầu mỗi trang / per page")] = 100,
    lang: Lang = Lang.vi,
) -> Response:
    statuses = _csv(status)
    start, end = _moment(start_date, "start_date"), _moment(end_date, "end_date")
    rows = view.requests(request.app.state.lake, ids=_csv(service_request_id), service_codes=_csv(service_code),
                         statuses=statuses, start=start, end=end,
                         updated_after=_moment(updated_after, "updated_after"),
                         limit=page_size, offset=(page - 1) * page_size, lang=lang.value)
    return _listing(fmt, rows, "service_requests", "request")


@router.get("/v2/requests/{service_request_id}.{fmt}", summary="One service request",
            response_class=Response,
            responses=list_responses(ServiceRequest, "service_requests", "request", "The request (a list of one)"))
def service_request(request: Request, service_request_id: str, fmt: Fmt, lang: Lang = Lang.vi) -> Response:
    row = view.request(request.app.state.lake, service_request_id, lang.value)
    if row is None:
        raise ApiError(404, "Không có phản ánh này / no such service_request_id")
    return _listing(fmt, [row], "service_requests", "request")
