"""``briefly serve``: an HTTP service with warm models and batching across requests.

Needs the ``serve`` extra (FastAPI, uvicorn); nothing here is imported by ``briefly`` itself.
"""

from briefly.serve.settings import ServeSettings

__all__ = ["ServeSettings", "serve"]


def serve(settings: ServeSettings, options) -> None:
    """Load the models for ``options`` (a BriefOptions), then answer requests until SIGTERM."""
    from briefly.serve.server import run

    run(settings, options)
