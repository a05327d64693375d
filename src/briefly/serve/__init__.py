"""``briefly serve``: an HTTP service with warm models and batching across requests.

Needs the ``serve`` extra (FastAPI, uvicorn); nothing here is imported by ``briefly`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefly.serve.settings import ServeSettings

if TYPE_CHECKING:
    from briefly.options import BriefOptions

__all__ = ["ServeSettings", "serve"]


def serve(settings: ServeSettings, options: BriefOptions) -> None:
    """Load the models for ``options``, then answer requests until SIGTERM drains them."""
    from briefly.serve.server import run

    run(settings, options)
