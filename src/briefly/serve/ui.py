"""The web page at ``/``: one static page, its script and styles, calling the service's API.

The files ship in the package (``page/``). Every one of them is sent with a Content-Security-
Policy that lets the page load and call nothing but this server, and run no inline script.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import Response

from briefly.options import BriefOptions
from briefly.render import language_name
from briefly.serve.settings import ServeSettings

_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A new server version must not run an old cached script.
    "Cache-Control": "no-cache",
}
_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/ui/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/ui/style.css": ("style.css", "text/css; charset=utf-8"),
}
# What the page's file picker offers, as LibreTranslate's settings name it.
_FILE_FORMATS = [".txt", ".md", ".html", ".htm"]


def install(app: FastAPI, settings: ServeSettings, options: BriefOptions) -> None:
    """Serve the page, and the settings it asks for, on ``app``."""
    for path, (name, media_type) in _FILES.items():
        send = _sender(name, media_type)
        app.add_api_route(path, send, methods=["GET", "HEAD"], include_in_schema=False)

    @app.get("/frontend/settings")
    async def frontend_settings() -> dict:
        """What the web page needs to know, in the shape of LibreTranslate's settings."""
        return {
            "keyRequired": bool(settings.api_keys),
            "apiKeys": bool(settings.api_keys),
            "charLimit": settings.max_chars,
            "supportedFilesFormat": _FILE_FORMATS,
            "allowUrls": settings.allow_urls,
            "targets": [{"code": lang, "name": language_name(lang)} for lang in options.languages],
            "length": options.length,
        }


def _sender(name: str, media_type: str):
    async def send() -> Response:
        return Response(_read(name), media_type=media_type, headers=_HEADERS)

    return send


@lru_cache(maxsize=len(_FILES))
def _read(name: str) -> bytes:
    return files("briefly.serve").joinpath("page").joinpath(name).read_bytes()
