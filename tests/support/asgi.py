"""Requests to the service's app in-process, without a server or models."""

from __future__ import annotations

import asyncio
import json

from briefly.options import BriefOptions


def asgi_post(path: str, body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    """POST ``body`` to the service's app in-process.

    No models are loaded: only requests answered before any model runs (refusals,
    /extract) can be made this way.
    """
    from briefly.serve.app import ServiceState, create_app
    from briefly.serve.settings import ServeSettings

    state = ServiceState(ServeSettings(), BriefOptions(summarizer="extractive"), models={})
    application = create_app(state)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode()), (b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(payload)


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one file, and its content type."""
    boundary = "briefly-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"
