"""Every failure becomes one JSON object ``{"error": message}``, never a traceback."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from briefly.errors import BrieflyError, InputError, ModelError, UsageError, first_line
from briefly.serve.batcher import Abandoned, QueueFull

# InputError kinds that are the client's size, or the client's URL, not the article's content.
_INPUT_STATUS = {
    "too_large": 413,
    "too_complex": 413,
    "forbidden_url": 400,
    "credentials": 400,
    "fetch": 400,
}


class ApiError(Exception):
    """A request the service refuses, with the HTTP status and a message saying what to do."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"The request body is larger than this server's limit of {limit:,} bytes: send a "
            "smaller article or text, or ask the operator to raise --max-body-bytes",
        )


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install(app, timeout_s: float) -> None:
    """Register the handlers that turn exceptions into JSON errors."""

    async def api_error(_request: Request, e: ApiError):
        return error_response(e.status, str(e), e.headers)

    async def briefly_error(_request: Request, e: BrieflyError):
        if isinstance(e, InputError):
            status = _INPUT_STATUS.get(e.kind, 422)
        elif isinstance(e, UsageError):
            status = 400
        else:
            status = 500 if isinstance(e, ModelError) else 422
        return error_response(status, first_line(e))

    async def queue_full(_request: Request, _e: QueueFull):
        return error_response(
            503, "The server is busy: retry after the time in Retry-After", {"Retry-After": "1"}
        )

    async def abandoned(_request: Request, _e: Abandoned):
        return error_response(
            503, "The server is shutting down: retry in a moment", {"Retry-After": "1"}
        )

    async def timeout(_request: Request, _e: asyncio.TimeoutError):
        return error_response(
            504,
            f"The request took longer than {timeout_s:g} s: send less text, or ask the "
            "operator to raise --timeout",
        )

    async def http_error(_request: Request, e: HTTPException):
        return error_response(e.status_code, str(e.detail), getattr(e, "headers", None))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(BrieflyError, briefly_error)
    app.add_exception_handler(QueueFull, queue_full)
    app.add_exception_handler(Abandoned, abandoned)
    app.add_exception_handler(asyncio.TimeoutError, timeout)
    app.add_exception_handler(HTTPException, http_error)
