"""A local stand-in for Amazon: the LWA token endpoint, Orders API v0, Reports API 2021-06-30 and Listings Items API
2021-08-01.

Bodies follow Amazon's published models: ``{"payload": {"Orders": [...], "NextToken": ...}}`` for getOrders,
``{"payload": {"AmazonOrderId": ..., "OrderItems": [...], "NextToken": ...}}`` for getOrderItems, the bare
``Report``/``ReportDocument`` objects of the 2021-06-30 Reports API, and ``{"errors": [{"code", "message",
"details"}]}`` with the matching HTTP status for every failure (``QuotaExceeded`` with 429). Every request is
recorded so a test can assert what the client sent.

Listings Items: ``putListingsItem`` and ``patchListingsItem`` answer a ``ListingsItemSubmissionResponse``
(``{"sku", "status": "ACCEPTED"|"INVALID"|"VALID", "submissionId", "issues"}``); ``mode=VALIDATION_PREVIEW``
checks without storing. ``listing_issues[sku]`` are the issues Amazon finds in that SKU's submissions (one of
severity ERROR makes them INVALID). ``getListingsItem`` answers the stored item with ``summaries``,
``attributes``, ``issues`` and ``fulfillmentAvailability``.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ORDERS_PATH = "/orders/v0/orders"
REPORTS_PATH = "/reports/2021-06-30/reports"
DOCUMENTS_PATH = "/reports/2021-06-30/documents"
LISTINGS_PATH = "/listings/2021-08-01/items"
TOKEN_PATH = "/auth/o2/token"
DOWNLOAD_PATH = "/report-downloads"
#: Usage plans of the operations (requests per second), sent in ``x-amzn-RateLimit-Limit``.
RATE_LIMITS = {"getOrders": "0.0167", "getOrderItems": "0.5", "createReport": "0.0167", "getReport": "2.0",
               "getReportDocument": "0.0167", "putListingsItem": "5.0", "patchListingsItem": "5.0",
               "getListingsItem": "5.0"}


def amazon_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Recorded:
    operation: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeAmazon:
    refresh_token: str
    client_id: str
    client_secret: str
    marketplace_id: str = "ATVPDKIKX0DER"
    orders: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    orders_page_size: int = 100
    items_page_size: int = 100
    #: operation name → how many of its next calls are answered 429 QuotaExceeded.
    throttle: dict[str, int] = field(default_factory=dict)
    #: getReport answers IN_QUEUE, then IN_PROGRESS, … this many times before DONE.
    report_polls_before_done: int = 2
    report_final_status: str = "DONE"
    performance_document: dict[str, Any] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    seller_id: str = "A2EXAMPLESELLER"
    #: sku → the listing as Amazon holds it: productType, attributes, submissions.
    listing_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: sku → issues (Amazon's ``Issue`` objects) its next submissions are answered with.
    listing_issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeAmazon:
        handler = type("Handler", (_Handler,), {"amazon": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-amazon", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def calls(self, operation: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    # --- answers ---------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        operation, args = _route(method, path)
        with self._lock:
            self.requests.append(Recorded(operation, method, path, query, headers, body))
            if operation == "token":
                return self._token(body)
            if operation == "download":
                return self._download(args[0])
            if operation == "unknown":
                return _errors(404, "NotFound", "Resource not found.")
            if headers.get("x-amz-access-token") not in self.tokens_issued:
                return _errors(403, "Unauthorized", "Access to requested resource is denied.",
                               "The access token you provided is revoked, malformed or invalid.")
            if self.throttle.get(operation, 0) > 0:
                self.throttle[operation] -= 1
                return _errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.",
                               rate=RATE_LIMITS.get(operation))
            status, payload = getattr(self, f"_{operation}")(query, body, *args)
            extra = {"x-amzn-RateLimit-Limit": RATE_LIMITS[operation]} if operation in RATE_LIMITS else {}
            return _json(status, payload, extra)

    def _token(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return _json(400, {"error": "invalid_grant", "error_description": "The request has an invalid grant "
                                                                              "parameter : refresh_token"})
        token = f"Atza|local-{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        return _json(200, {"access_token": token, "refresh_token": self.refresh_token, "token_type": "bearer",
                           "expires_in": 3600})

    def _getOrders(self, query: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, Any]]:
        q = {k: v[0] for k, v in query.items()}
        if not q.get("MarketplaceIds"):
            return 400, _error_body("InvalidInput", "Missing required 'MarketplaceIds' parameter.")
        now = datetime.now(UTC)
        before = _parse_time(q["LastUpdatedBefore"]) if q.get("LastUpdatedBefore") else now - timedelta(minutes=2)
        if before > now - timedelta(minutes=2):
            return 400, _error_body("InvalidInput", "Invalid Input",
                                    "LastUpdatedBefore must be a date at least 2 minutes before the current time.")
        if "CreatedBefore" in q and _parse_time(q["CreatedBefore"]) > now - timedelta(minutes=2):
            return 400, _error_body("InvalidInput", "Invalid Input",
                                    "CreatedBefore must be a date at least 2 minutes before the current time.")
        if not q.get("LastUpdatedAfter") and not q.get("CreatedAfter"):
            return 400, _error_body("InvalidInput", "Either CreatedAfter or LastUpdatedAfter must be specified.")
        after = _parse_time(q["LastUpdatedAfter"]) if q.get("LastUpdatedAfter") else None
        selected = sorted(
            (o for o in self.orders
             if (after is None or _parse_time(o["LastUpdateDate"]) >= after)
             and _parse_time(o["LastUpdateDate"]) <= before),
            key=lambda o: (o["LastUpdateDate"], o["AmazonOrderId"]),
        )
        offset = _offset(q.get("NextToken"))
        page = selected[offset:offset + self.orders_page_size]
        payload: dict[str, Any] = {"Orders": page, "LastUpdatedBefore": amazon_time(before)}
        if offset + self.orders_page_size < len(selected):
            payload["NextToken"] = _token_for(offset + self.orders_page_size)
        return 200, {"payload": payload}

    def _getOrderItems(self, query: dict[str, list[str]], body: bytes, order_id: str) -> tuple[int, dict[str, Any]]:
        if order_id not in self.items:
            return 404, _error_body("InvalidInput", "Invalid Input", f"Order {order_id} not found.")
        items = self.items[order_id]
        offset = _offset((query.get("NextToken") or [None])[0])
        payload: dict[str, Any] = {"AmazonOrderId": order_id,
                                   "OrderItems": items[offset:offset + self.items_page_size]}
        if offset + self.items_page_size < len(items):
            payload["NextToken"] = _token_for(offset + self.items_page_size)
        return 200, {"payload": payload}

    def _createReport(self, query: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, Any]]:
        spec = json.loads(body or b"{}")
        if not spec.get("reportType") or not spec.get("marketplaceIds"):
            return 400, _error_body("InvalidInput", "reportType and marketplaceIds are required.")
        report_id = str(50000 + len(self.reports) + 1)
        self.reports[report_id] = {"spec": spec, "polls": 0, "created": datetime.now(UTC)}
        return 202, {"reportId": report_id}

    def _getReport(self, query: dict[str, list[str]], body: bytes, report_id: str) -> tuple[int, dict[str, Any]]:
        report = self.reports.get(report_id)
        if report is None:
            return 404, _error_body("NotFound", f"Report {report_id} not found.")
        report["polls"] += 1
        waiting = report["polls"] <= self.report_polls_before_done
        status = ("IN_QUEUE" if report["polls"] == 1 else "IN_PROGRESS") if waiting else self.report_final_status
        answer: dict[str, Any] = {
            "reportId": report_id, "reportType": report["spec"]["reportType"],
            "marketplaceIds": report["spec"]["marketplaceIds"], "processingStatus": status,
            "createdTime": amazon_time(report["created"]),
        }
        if status != "IN_QUEUE":
            answer["processingStartTime"] = amazon_time(report["created"])
        if status in {"DONE", "FATAL"}:
            answer["processingEndTime"] = amazon_time(datetime.now(UTC))
            answer["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{report_id}.T3ABCDEF"
        return 200, answer

    def _getReportDocument(self, query: dict[str, list[str]], body: bytes,
                           document_id: str) -> tuple[int, dict[str, Any]]:
        return 200, {"reportDocumentId": document_id, "url": f"{self.url}{DOWNLOAD_PATH}/{document_id}",
                     "compressionAlgorithm": "GZIP"}

    # --- Listings Items API 2021-08-01 ---------------------------------------------------------------------

    def _listing_request_error(self, query: dict[str, list[str]], seller_id: str) -> tuple[int, dict[str, Any]] | None:
        if seller_id != self.seller_id:
            return 403, _error_body("Unauthorized", "Access to requested resource is denied.",
                                    f"The seller {seller_id} is not the seller of this authorisation.")
        if not query.get("marketplaceIds"):
            return 400, _error_body("InvalidInput", "Missing required 'marketplaceIds' parameter.")
        return None

    def _submission(self, sku: str, query: dict[str, list[str]]) -> tuple[dict[str, Any], bool]:
        """The answer to a put or patch of ``sku``, and whether it is to be applied."""
        issues = self.listing_issues.get(sku, [])
        invalid = any(issue.get("severity") == "ERROR" for issue in issues)
        preview = (query.get("mode") or [""])[0] == "VALIDATION_PREVIEW"
        status = "INVALID" if invalid else ("VALID" if preview else "ACCEPTED")
        submission_id = f"{len(self.requests):06d}f0c0a2f54ab5a8d0b7b4b2a0c5e1"
        return {"sku": sku, "status": status, "submissionId": submission_id, "issues": issues}, not (invalid or preview)

    def _putListingsItem(self, query: dict[str, list[str]], body: bytes, seller_id: str,
                         sku: str) -> tuple[int, dict[str, Any]]:
        error = self._listing_request_error(query, seller_id)
        if error:
            return error
        spec = json.loads(body or b"{}")
        if not spec.get("productType") or not isinstance(spec.get("attributes"), dict):
            return 400, _error_body("InvalidInput", "productType and attributes are required.")
        answer, apply = self._submission(sku, query)
        if apply:
            item = self.listing_items.setdefault(sku, {"submissions": []})
            item.update(productType=spec["productType"], attributes=spec["attributes"])
            item["submissions"].append(answer["submissionId"])
        return 200, answer

    def _patchListingsItem(self, query: dict[str, list[str]], body: bytes, seller_id: str,
                           sku: str) -> tuple[int, dict[str, Any]]:
        error = self._listing_request_error(query, seller_id)
        if error:
            return error
        spec = json.loads(body or b"{}")
        patches = spec.get("patches")
        if not spec.get("productType") or not isinstance(patches, list) or not patches:
            return 400, _error_body("InvalidInput", "productType and patches are required.")
        if sku not in self.listing_items:
            return 404, _error_body("NotFound", f"The SKU {sku} is not a listing of this seller.")
        answer, apply = self._submission(sku, query)
        if apply:
            attributes = self.listing_items[sku]["attributes"]
            for patch in patches:
                name = patch["path"].removeprefix("/attributes/")
                if patch["op"] == "delete":
                    attributes.pop(name, None)
                else:
                    attributes[name] = patch["value"]
            self.listing_items[sku]["submissions"].append(answer["submissionId"])
        return 200, answer

    def _getListingsItem(self, query: dict[str, list[str]], body: bytes, seller_id: str,
                         sku: str) -> tuple[int, dict[str, Any]]:
        error = self._listing_request_error(query, seller_id)
        if error:
            return error
        item = self.listing_items.get(sku)
        if item is None:
            return 404, _error_body("NotFound", f"The SKU {sku} is not a listing of this seller.")
        attributes = item["attributes"]
        issues = self.listing_issues.get(sku, [])
        status = [] if any(i.get("severity") == "ERROR" for i in issues) else ["BUYABLE", "DISCOVERABLE"]
        availability = [{"fulfillmentChannelCode": a.get("fulfillment_channel_code", "DEFAULT"),
                         "quantity": a.get("quantity", 0)} for a in attributes.get("fulfillment_availability", [])]
        names = attributes.get("item_name") or [{}]
        return 200, {
            "sku": sku,
            "summaries": [{"marketplaceId": query["marketplaceIds"][0], "asin": item.get("asin", "B0EXAMPLE01"),
                           "productType": item["productType"], "conditionType": "new_new", "status": status,
                           "itemName": names[0].get("value", ""), "createdDate": "2026-01-05T08:00:00Z",
                           "lastUpdatedDate": amazon_time(datetime.now(UTC))}],
            "attributes": attributes, "issues": issues, "fulfillmentAvailability": availability,
        }

    def listed_quantity(self, sku: str) -> int | None:
        """The MFN quantity Amazon holds for ``sku`` (``fulfillment_availability`` of the DEFAULT channel)."""
        with self._lock:
            item = self.listing_items.get(sku)
            for entry in (item or {}).get("attributes", {}).get("fulfillment_availability", []):
                if entry.get("fulfillment_channel_code", "DEFAULT") == "DEFAULT":
                    return int(entry["quantity"])
        return None

    def _download(self, document_id: str) -> tuple[int, dict[str, str], bytes]:
        content = gzip.compress(json.dumps(self.performance_document).encode("utf-8"))
        return 200, {"Content-Type": "application/octet-stream"}, content


def _route(method: str, path: str) -> tuple[str, list[str]]:
    parts = [p for p in path.split("/") if p]
    if method == "POST" and path == TOKEN_PATH:
        return "token", []
    if method == "GET" and path == ORDERS_PATH:
        return "getOrders", []
    if method == "GET" and path.startswith(ORDERS_PATH + "/") and parts[-1] == "orderItems" and len(parts) == 5:
        return "getOrderItems", [parts[3]]
    if method == "POST" and path == REPORTS_PATH:
        return "createReport", []
    if method == "GET" and path.startswith(REPORTS_PATH + "/") and len(parts) == 4:
        return "getReport", [parts[3]]
    if method == "GET" and path.startswith(DOCUMENTS_PATH + "/") and len(parts) == 4:
        return "getReportDocument", [parts[3]]
    if method == "GET" and path.startswith(DOWNLOAD_PATH + "/"):
        return "download", [parts[-1]]
    if path.startswith(LISTINGS_PATH + "/") and len(parts) == 5:
        operation = {"PUT": "putListingsItem", "PATCH": "patchListingsItem", "GET": "getListingsItem"}.get(method)
        if operation:
            return operation, [unquote(parts[3]), unquote(parts[4])]
    return "unknown", []


def _offset(token: str | None) -> int:
    return json.loads(base64.urlsafe_b64decode(token.encode()))["offset"] if token else 0


def _token_for(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _error_body(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


def _json(status: int, body: dict[str, Any],
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def _errors(status: int, code: str, message: str, details: str = "", *,
            rate: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"x-amzn-RequestId": "d2e3f4a5-0000-4000-8000-000000000000"}
    if rate:
        headers["x-amzn-RateLimit-Limit"] = rate
    return _json(status, _error_body(code, message, details), headers)


class _Handler(BaseHTTPRequestHandler):
    amazon: FakeAmazon
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, response_headers, content = self.amazon.handle(self.command, url.path, parse_qs(url.query), headers,
                                                               body)
        self.send_response(status)
        for name, value in response_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded requests are what tests look at."""


# --- Flat-file report documents (the catalogue reports) --------------------------------------------------------

@dataclass
class FakeAmazonWithDocuments(FakeAmazon):
    """Amazon that also serves flat-file report documents: the bytes of ``documents[reportType]``, gzipped, as
    stored (any encoding). Report types listed in ``cancelled`` end CANCELLED (no data)."""

    documents: dict[str, bytes] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)

    def _report_type(self, report_id: str) -> str:
        report = self.reports.get(report_id)
        return report["spec"]["reportType"] if report else ""

    def _getReport(self, query: dict[str, list[str]], body: bytes, report_id: str) -> tuple[int, dict[str, Any]]:
        status, answer = super()._getReport(query, body, report_id)
        if self._report_type(report_id) in self.cancelled and answer.get("processingStatus") == "DONE":
            answer["processingStatus"] = "CANCELLED"
            answer.pop("reportDocumentId", None)
        return status, answer

    def _download(self, document_id: str) -> tuple[int, dict[str, str], bytes]:
        report_type = self._report_type(document_id.split(".")[5])  # amzn1.spdoc.1.4.na.<report id>.T3…
        if report_type not in self.documents:
            return super()._download(document_id)
        return 200, {"Content-Type": "application/octet-stream"}, gzip.compress(self.documents[report_type])
