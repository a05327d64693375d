"""The HTTP API: routes, request parsing and the service's shared state."""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from briefly.article.loader import load_url, parse_article
from briefly.models.engines.base import Engine
from briefly.models.hub import parse_languages
from briefly.options import DEFAULT_LANGUAGES, BriefOptions
from briefly.render import render_article, render_brief
from briefly.results import Translation
from briefly.serve import languages, markup, ui, work
from briefly.serve.batcher import Batcher
from briefly.serve.failures import ApiError, install
from briefly.serve.limits import Guard
from briefly.serve.metrics import CONTENT_TYPE as METRICS_TYPE
from briefly.serve.metrics import Metrics
from briefly.serve.quotas import Quotas, key_id
from briefly.serve.schemas import ArticleRequest, BriefRequest, DetectRequest, TranslateRequest
from briefly.serve.settings import ServeSettings
from briefly.unicode import find_surrogates

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# URL fetches have threads of their own, so slow servers never hold up text requests.
_FETCH_THREADS = 8


@dataclass
class ServiceState:
    """What every request sees: settings, the loaded models and the work in progress."""

    settings: ServeSettings
    options: BriefOptions
    models: dict  # /models: device, and per role the model, backend and compute type
    batcher: Batcher[work.WorkKey] | None = None
    # Each loaded engine once (two targets may share one): /health sums their counts.
    engines: tuple[Engine, ...] = ()
    draining: bool = False  # SIGTERM received: finish what is in flight, refuse the rest
    in_flight: int = 0
    # Output guards' warnings in the briefs and translations served, by code (for /health).
    warnings: Counter[str] = field(default_factory=Counter)
    fetcher: ThreadPoolExecutor | None = None
    # Set at shutdown: URL fetches under way end at once.
    stopping: threading.Event = field(default_factory=threading.Event)
    quotas: Quotas = field(init=False)  # --req-limit and --char-limit per client
    metrics: Metrics = field(init=False)  # what /metrics reports

    def __post_init__(self) -> None:
        self.quotas = Quotas(self.settings.req_limit, self.settings.char_limit)
        self.metrics = Metrics(lambda: self.batcher.queued if self.batcher else 0)


def create_app(state: ServiceState) -> FastAPI:
    settings = state.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        def run_batch(key: work.WorkKey, items: Sequence[Any], stopped: Callable[[], bool]):
            state.metrics.batch_size.labels(key[0]).observe(len(items))
            return work.run_batch(key, items, stopped, chunk_tokens=settings.batch_tokens)

        state.batcher = Batcher(
            run_batch,
            wait_s=settings.batch_wait_ms / 1000,
            max_cost=settings.batch_tokens,
            max_queued=settings.max_queue,
        )
        state.batcher.start()
        state.fetcher = ThreadPoolExecutor(_FETCH_THREADS, thread_name_prefix="briefly-fetch")
        yield
        state.stopping.set()
        state.fetcher.shutdown(wait=False, cancel_futures=True)
        await state.batcher.stop()

    # The API docs' scripts and styles come from fastapi-offline's copy, not from a CDN.
    app = FastAPIOffline(
        title="briefly",
        summary="News briefs and LibreTranslate-compatible translation, with warm models.",
        lifespan=lifespan,
    )
    app.add_middleware(Guard, state=state)
    install(app, settings.timeout_s)
    if settings.ui:
        ui.install(app, settings, state.options)

    async def submit(kind: str, options: BriefOptions, item: Any, texts: list[str]) -> Any:
        assert state.batcher is not None
        job = state.batcher.submit((kind, options), item, work.estimate_tokens(texts))
        return await asyncio.wait_for(job, settings.timeout_s)

    @app.get("/health")
    async def health() -> dict:
        """200 once the models are loaded; 503 while shutting down."""
        batcher = state.batcher
        assert batcher is not None  # started before the first request
        return {
            "status": "ready",
            "queued": batcher.queued,
            "running": batcher.running,
            "jobs_done": batcher.jobs_done,
            "model_calls": batcher.calls,
            "engine_calls": sum(engine.stats.calls for engine in state.engines),
            "decoded_tokens": sum(engine.stats.tokens for engine in state.engines),
            "in_flight": state.in_flight,
            "warnings": dict(state.warnings),
        }

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> Response:
        """Counts in the Prometheus text format: requests, latency, batch sizes, queue, warnings."""
        return Response(state.metrics.render(), media_type=METRICS_TYPE)

    @app.get("/models")
    async def models(request: Request) -> dict:
        """What is loaded: the model per role, its backend and compute type, and the device."""
        _check_key(request, settings, await _params(request))
        return state.models | {"options": state.options.to_dict()}

    @app.post("/brief", openapi_extra=_body(BriefRequest))
    async def brief(request: Request) -> Response:
        """The same object as ``briefly brief --format json``."""
        req = _parse(BriefRequest, state, request, await _params(request))
        article = await asyncio.wait_for(_article(req, state), settings.timeout_s)
        base = state.options
        options = base.replace(
            languages=_languages(req.to, base.languages),
            length=req.length or base.length,
            max_words=_whole(req.max_words) if req.max_words is not None else base.max_words,
        )
        result = await submit(work.BRIEF, options, article, [article.body])
        state.warnings.update(w.code for w in result.warnings)
        state.metrics.warned(result.warnings)
        return Response(render_brief(result, "json"), media_type="application/json")

    @app.post("/extract", openapi_extra=_body(ArticleRequest))
    async def extract(request: Request) -> Response:
        """The cleaned article, as ``briefly extract --format json``."""
        req = _parse(ArticleRequest, state, request, await _params(request))
        article = await asyncio.wait_for(_article(req, state), settings.timeout_s)
        return Response(render_article(article, "json"), media_type="application/json")

    @app.post("/translate", openapi_extra=_body(TranslateRequest))
    async def translate(request: Request) -> dict:
        """LibreTranslate's /translate: English into one of the loaded languages."""
        req = _parse(TranslateRequest, state, request, await _params(request))
        target = req.target.strip().lower()
        if target not in state.options.languages:
            loaded = _loaded(state.options.languages)
            raise ApiError(400, f"Target '{req.target}' is not loaded: {loaded}")
        if req.source not in ("en", "auto"):
            raise ApiError(400, "This server translates from English only: use source en or auto")
        texts = [req.q] if isinstance(req.q, str) else req.q
        _check_texts(len(texts), "texts", settings)
        if sum(len(t) for t in texts) > settings.max_chars:
            raise ApiError(
                413,
                f"q is longer than {settings.max_chars:,} characters: send less per request, "
                "or ask the operator to raise --max-chars",
            )
        detected = [languages.detect(t) for t in texts] if req.source == "auto" else []
        foreign = next((lang for lang, c in detected if languages.looks_foreign(lang, c)), None)
        if foreign:
            raise ApiError(
                400,
                f"The text looks like '{foreign}', and this server translates from English "
                "only: send English text, or source=en to translate it as English",
            )
        # Each text's runs, and for HTML the function that puts translated runs back.
        pieces: list[tuple[list[str], Callable[[Sequence[str]], str] | None]]
        if req.format == "html":
            pieces = list(await asyncio.to_thread(lambda: [markup.text_runs(t) for t in texts]))
        else:
            pieces = [([t], None) for t in texts]
        segments = [s for runs, _ in pieces for s in runs if s.strip()]
        _check_texts(len(segments), "text runs", settings)
        options = state.options.replace(languages=(target,))
        done = iter(await submit(work.TRANSLATE, options, segments, segments) if segments else [])
        outputs = []
        for runs, rebuild in pieces:
            translated = [_counted(next(done), state) if s.strip() else s for s in runs]
            outputs.append(rebuild(translated) if rebuild is not None else translated[0])
        single = isinstance(req.q, str)
        answer: dict[str, Any] = {"translatedText": outputs[0] if single else outputs}
        if detected:
            found = [{"confidence": c, "language": lang} for lang, c in detected]
            answer["detectedLanguage"] = found[0] if single else found
        return answer

    @app.post("/detect", openapi_extra=_body(DetectRequest))
    async def detect(request: Request) -> list[dict]:
        """LibreTranslate's /detect: the most likely language and its confidence (0-100)."""
        req = _parse(DetectRequest, state, request, await _params(request))
        lang, confidence = languages.detect(req.q)
        return [{"confidence": confidence, "language": lang}]

    @app.get("/languages")
    async def supported() -> JSONResponse:
        """LibreTranslate's /languages: what this server translates from and into."""
        return JSONResponse(languages.supported(state.options.languages))

    return app


async def _params(request: Request) -> dict[str, Any]:
    """Query parameters overlaid with a JSON object or form body, as LibreTranslate reads them."""
    params = await _read_params(request)
    # JSON's "\ud800" is valid JSON but no text: no model, key or response could hold it.
    field = find_surrogates(params)
    if field is not None:
        raise ApiError(
            400,
            f"The field {field or 'body'} holds a lone surrogate (such as \\ud800), which is "
            "not text: send valid Unicode",
        )
    return params


async def _read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        # Starlette would read unescaped bytes as Latin-1; `curl -d q=Привіт` sends UTF-8.
        try:
            pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as e:
            raise ApiError(400, "The form is not UTF-8: send it in UTF-8") from e
        return params | _fields(pairs)
    if content_type in _FORMS:
        form = await request.form()
        for key in form:
            # An uploaded file's bytes (the body's size is already bounded by the Guard).
            values = [await v.read() if isinstance(v, UploadFile) else v for v in form.getlist(key)]
            params[key] = values[0] if len(values) == 1 else values
        return params
    body = await request.body()
    if not body.strip():
        return params
    try:
        data = json.loads(body)
    except ValueError as e:
        raise ApiError(400, f"The body is not valid JSON ({e}): send a JSON object") from e
    except RecursionError as e:
        raise ApiError(
            400, "The body nests JSON too deeply to read: send a flat JSON object"
        ) from e
    if not isinstance(data, dict):
        raise ApiError(400, 'The body is JSON but not an object: send {"field": value, ...}')
    return params | data


def _fields(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A form's fields, as multipart ones are read: given once, a value; more often, a list."""
    fields: dict[str, list[Any]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in fields.items()}


def _check_key(request: Request, settings: ServeSettings, params: dict[str, Any]) -> str | None:
    """The request's valid API key (None where the server needs none), or a 401 or 403."""
    if not settings.api_keys:
        return None
    given = params.get("api_key")
    if not given or not isinstance(given, str):
        raise ApiError(401, "This server needs an API key: pass api_key with the request")
    # Compare against every key, in constant time, so timing does not reveal a prefix.
    matches = [hmac.compare_digest(given.encode(), key.encode()) for key in settings.api_keys]
    if not any(matches):
        raise ApiError(403, "Invalid API key: ask the server's operator for a valid one")
    # For the access log, which names the key without showing it.
    request.state.key_id = key_id(given)
    return given


def _parse(model: type[BaseModel], state: ServiceState, request: Request, params: dict[str, Any]):
    """The request's fields, once its key is checked and its client's quotas allow it."""
    key = _check_key(request, state.settings, params)
    try:
        parsed = model.model_validate(params)
    except ValidationError as e:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in e.errors()[:3]
        ]
        raise ApiError(422, f"Invalid request: {'; '.join(problems)}") from e
    client = f"key:{key_id(key)}" if key else request.client.host if request.client else "-"
    state.quotas.charge(client, _characters(parsed))
    return parsed


def _characters(parsed: BaseModel) -> int:
    """The text a request brings, as --char-limit counts it (an uploaded file, its bytes)."""
    given = [getattr(parsed, name, None) for name in ("text", "html", "url", "q", "file")]
    texts = [
        t
        for value in given
        if value
        for t in ([value] if isinstance(value, str | bytes) else value)
    ]
    return sum(len(t) for t in texts)


def _counted(translation: Translation, state: ServiceState) -> str:
    """The text of ``translation``, its warnings counted for /health and /metrics."""
    state.warnings.update(w.code for w in translation.warnings)
    state.metrics.warned(translation.warnings)
    return translation.text


def _check_texts(count: int, what: str, settings: ServeSettings) -> None:
    if count > settings.max_texts:
        raise ApiError(
            413,
            f"q holds {count:,} {what}, more than this server's limit of {settings.max_texts:,}: "
            "send fewer per request, or ask the operator to raise --max-texts",
        )


async def _article(req: ArticleRequest, state: ServiceState):
    settings = state.settings
    if req.url is not None:
        if not settings.allow_urls:
            raise ApiError(
                403, "This server does not fetch URLs (started without --allow-urls): send text"
            )
        assert state.fetcher is not None  # started before the first request
        # The fetch's own deadline frees its thread when the request times out.
        fetch = functools.partial(
            load_url,
            req.url,
            max_bytes=settings.max_body_bytes,
            timeout=settings.timeout_s,
            public_only=not settings.allow_private_urls,
            stop=state.stopping,
        )
        article = await asyncio.get_running_loop().run_in_executor(state.fetcher, fetch)
    elif req.file is not None:
        source = req.source or "file"
        article = await asyncio.to_thread(parse_article, req.file, source=source)
    else:
        raw = req.text if req.text is not None else req.html
        assert raw is not None
        if len(raw) > settings.max_chars:
            raise ApiError(413, _too_long(settings))
        is_html = req.html is not None
        source = req.source or ("html" if is_html else "text")
        article = await asyncio.to_thread(parse_article, raw, source=source, is_html=is_html)
    if len(article.body) > settings.max_chars:
        raise ApiError(413, _too_long(settings))
    return article


def _too_long(settings: ServeSettings) -> str:
    return (
        f"The article is longer than this server's limit of {settings.max_chars:,} characters: "
        "send a shorter one, or ask the operator to raise --max-chars"
    )


def _loaded(loaded: tuple[str, ...], some: str = "one") -> str:
    """What to ask for instead of a language the server has not loaded."""
    if loaded:
        return f"use {some} of {', '.join(loaded)}"
    return (
        "this server loaded no translation model (it was started with --to none): ask the "
        f"operator to restart it with --to and the languages wanted, such as "
        f"--to {','.join(DEFAULT_LANGUAGES)}"
    )


def _whole(number: float) -> float:
    """JSON's 1e3 as the whole number 1000; other numbers as they are."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _languages(to: list[str] | str | None, loaded: tuple[str, ...]) -> tuple[str, ...]:
    if to is None:
        return loaded
    wanted = parse_languages(to if isinstance(to, str) else ",".join(to))
    missing = [lang for lang in wanted if lang not in loaded]
    if missing:
        raise ApiError(400, f"Language '{missing[0]}' is not loaded: {_loaded(loaded, 'some')}")
    return wanted


def _body(model: type[BaseModel]) -> dict:
    """The OpenAPI request body: routes parse it themselves, to take JSON and forms alike."""
    schema = model.model_json_schema()
    kinds = ("application/json", *_FORMS)
    return {
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": schema} for kind in kinds},
        }
    }
