"""Starting the service: load the models, then open the port; drain on SIGTERM.

Every wait of a shutdown is bounded: the requests in flight get at most one request
timeout to finish, connections that are still open then get a moment more, model work
stops at its next check and URL fetches at once. A second signal exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import time

import uvicorn

from briefly.options import BriefOptions
from briefly.serve import languages, work
from briefly.serve.app import ServiceState, create_app
from briefly.serve.listen import bind
from briefly.serve.settings import ServeSettings

logger = logging.getLogger("briefly.serve")

# Seconds open connections get once draining is over (a client still sending its body).
_CLOSE_GRACE_S = 1


def run(settings: ServeSettings, options: BriefOptions) -> None:
    sock = bind(settings.host, settings.port)
    logger.info("loading models")
    briefer = work.make_briefer(options)
    briefer.check()
    # Before the port opens: a client that can connect gets warm models.
    briefer.preload()
    languages.detect("Warm up the language identifier before the first request.")
    engines = work.loaded_engines(briefer)
    # Two targets may share one engine: /health counts its work once.
    distinct = {id(e): e for e in engines.values() if e is not None}
    state = ServiceState(
        settings, options, work.loaded_models(briefer, engines), engines=tuple(distinct.values())
    )
    config = uvicorn.Config(
        create_app(state),
        host=settings.host,
        port=settings.port,
        access_log=False,  # briefly's own access log has the request id and timings
        log_level="debug" if settings.debug else "info",
        server_header=False,
        timeout_graceful_shutdown=_CLOSE_GRACE_S,
    )
    _DrainingServer(config, state).run(sockets=[sock])


class _DrainingServer(uvicorn.Server):
    """On the first SIGTERM or SIGINT, keep listening but answer new requests with 503, and stop
    once the requests in flight are answered or have had a request timeout to finish; a second
    signal exits the process at once."""

    def __init__(self, config: uvicorn.Config, state: ServiceState) -> None:
        super().__init__(config)
        self.state = state
        self.drain_until = float("inf")

    def handle_exit(self, sig: int, frame) -> None:
        name = signal.Signals(sig).name
        if self.state.draining:
            logger.warning("second %s: exiting now", name)
            logging.shutdown()
            os._exit(128 + sig)
        logger.info(
            "%s: finishing %d request(s) in flight within %g s, refusing new ones",
            name,
            self.state.in_flight,
            self.state.settings.timeout_s,
        )
        self.drain_until = time.monotonic() + self.state.settings.timeout_s
        self.state.draining = True

    async def on_tick(self, counter: int) -> bool:
        if self.state.draining and (
            self.state.in_flight == 0 or time.monotonic() >= self.drain_until
        ):
            self.should_exit = True
        return await super().on_tick(counter)
