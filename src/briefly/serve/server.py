"""Starting the service: load the models, then open the port; drain on SIGTERM."""

from __future__ import annotations

import logging
import signal

import uvicorn

from briefly.options import BriefOptions
from briefly.serve import languages, work
from briefly.serve.app import ServiceState, create_app
from briefly.serve.settings import ServeSettings

logger = logging.getLogger("briefly.serve")


def run(settings: ServeSettings, options: BriefOptions) -> None:
    logger.info("loading models")
    briefer = work.make_briefer(options)
    briefer.check()
    # Before the port opens: a client that can connect gets warm models.
    briefer.preload()
    languages.detect("Warm up the language identifier before the first request.")
    state = ServiceState(settings, options, work.loaded_models(options))
    config = uvicorn.Config(
        create_app(state),
        host=settings.host,
        port=settings.port,
        access_log=False,  # briefly's own access log has the request id and timings
        log_level="debug" if settings.debug else "info",
        server_header=False,
    )
    _DrainingServer(config, state).run()


class _DrainingServer(uvicorn.Server):
    """On the first SIGTERM or SIGINT, keep listening but answer new requests with 503, and stop
    once the requests in flight are answered; a second signal stops at once."""

    def __init__(self, config: uvicorn.Config, state: ServiceState) -> None:
        super().__init__(config)
        self.state = state

    def handle_exit(self, sig: int, frame) -> None:
        if self.state.draining:
            self.should_exit = self.force_exit = True
            return
        logger.info(
            "%s: finishing %d request(s) in flight, refusing new ones",
            signal.Signals(sig).name,
            self.state.in_flight,
        )
        self.state.draining = True

    async def on_tick(self, counter: int) -> bool:
        if self.state.draining and self.state.in_flight == 0:
            self.should_exit = True
        return await super().on_tick(counter)
