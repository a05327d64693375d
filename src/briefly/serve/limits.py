"""Around every request: an id, the access log and metrics, the body limit, draining, and
last-resort errors.

A pure ASGI middleware rather than a decorator-style one, so that a body arriving in chunks is
counted as it streams in, and so that nothing it wraps can send a traceback to a client.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import datetime, timezone

from starlette.datastructures import MutableHeaders

from briefly.errors import first_line, printable
from briefly.serve.failures import BodyTooLarge, error_response

access_log = logging.getLogger("briefly.serve.access")
logger = logging.getLogger("briefly.serve")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Guard:
    def __init__(self, app, state) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _CLIENT_REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0
        sent = 0

        async def send_with_id(message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self._handle(scope, receive, send_with_id, headers, request_id)
        finally:
            seconds = time.perf_counter() - started
            client = scope.get("client")
            access_log.info(
                "%s %s %s %s %s %s %d %dB %.1fms",
                datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                printable(client[0]) if client else "-",
                scope["state"].get("key_id", "-"),
                request_id,
                printable(scope["method"]),
                printable(scope["path"]),
                status,
                sent,
                seconds * 1000,
            )
            self.state.metrics.answered(_route(scope), status, seconds)

    async def _handle(self, scope, receive, send, headers, request_id) -> None:
        settings = self.state.settings
        if self.state.draining:
            response = error_response(
                503, "The server is shutting down: retry in a moment", {"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_body_bytes:
            error = BodyTooLarge(settings.max_body_bytes)
            await error_response(error.status, str(error))(scope, receive, send)
            return
        received = 0

        async def receive_limited():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > settings.max_body_bytes:
                raise BodyTooLarge(settings.max_body_bytes)
            return message

        started = False

        async def send_tracked(message) -> None:
            nonlocal started
            started = True
            await send(message)

        self.state.in_flight += 1
        try:
            await self.app(scope, receive_limited, send_tracked)
        except Exception as e:  # the last resort: log it, answer with JSON, keep serving
            if settings.debug:
                logger.exception("request %s failed", request_id)
            else:
                logger.error(
                    "request %s failed: %s (see --debug)", request_id, printable(first_line(e))
                )
            if not started:
                message = f"Internal error in request {request_id}: the server log has the details"
                await error_response(500, message)(scope, receive, send)
        finally:
            self.state.in_flight -= 1


def _route(scope) -> str:
    """The route's template (``/brief``), so that made-up paths cannot grow the metrics."""
    route = scope.get("route")
    return getattr(route, "path", None) or "other"
