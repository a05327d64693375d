"""How much a text's output changes when its batch is padded for partners of other lengths.

For every text of a set of mixed-length sentences (or articles), each runtime decodes it:

- ``solo``: alone, so nothing is padded;
- ``mixed``: in one batch with all the others, padded to the longest (what a padded batch does);
- ``mixed again``: the same batch a second time (is the same input + settings deterministic?);
- ``bucket``: padded to a fixed length per length bucket (a multiple of ``--bucket`` tokens),
  once beside a filler text of that length only and once beside the filler and every other text
  of its bucket (CTranslate2 only: it pads a batch to its longest input, so the filler sets the
  padded length; is a text's output then independent of its partners?).

For each comparison it reports the share of outputs that differ, the tokens that differ in those
(insertions, deletions and replacements, from :mod:`difflib`), and the change of the best
hypothesis' score. Random-weight models have nearly tied candidates, so they flip more often
than trained ones: read their figures as an upper bound.

    python -m benchmarks invariance --models replica --texts 24
"""

from __future__ import annotations

import difflib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.models import model_set
from briefly.models.engines.base import Engine
from briefly.models.generation import Languages

RUNTIMES = (("torch", "float32"), ("ct2", "int8"), ("ct2", "float32"))
ROLES = ("translator", "summarizer")
# New tokens a translation may take: the translator's bound for a sentence of about 24 tokens.
TRANSLATION_BOUND = 64


@dataclass(frozen=True)
class Decoded:
    tokens: tuple  # the best hypothesis: token strings (ct2) or ids (torch)
    score: float | None  # its score as the runtime ranks it; None where it gives none


@dataclass
class Row:
    role: str
    runtime: str
    comparison: str
    texts: int
    changed: int
    tokens_differing: list[int]  # per changed output
    score_deltas: list[float]  # per output with scores on both sides

    @property
    def share(self) -> float:
        return self.changed / self.texts if self.texts else 0.0


class _Recorder:
    """Decodes exact batches with one runtime, keeping tokens and scores of each output."""

    def __init__(self, engine: Engine, max_new_tokens: int | None) -> None:
        self.engine = engine
        self.settings = engine.settings.with_limits(max_new_tokens)
        self.last: list[Decoded] = []
        if engine.backend == "ct2":
            self._wrap_ct2()
        else:
            self._wrap_torch()

    def _wrap_ct2(self) -> None:
        translator = self.engine.translator  # type: ignore[attr-defined]

        class Scoring:
            def translate_batch(_self, tokens, **options):
                # One call of exactly these inputs: CTranslate2 would otherwise re-split it.
                options |= {"return_scores": True, "max_batch_size": 0}
                results = translator.translate_batch(tokens, **options)
                self.last = [Decoded(tuple(r.hypotheses[0]), float(r.scores[0])) for r in results]
                return results

        self.engine.translator = Scoring()  # type: ignore[attr-defined]

    def _wrap_torch(self) -> None:
        model = self.engine.model  # type: ignore[attr-defined]
        generate = model.generate

        def scoring(**kwargs):
            out = generate(**kwargs, return_dict_in_generate=True, output_scores=True)
            scores = getattr(out, "sequences_scores", None)
            self.last = [
                Decoded(
                    tuple(i for i in ids.tolist() if i != model.config.pad_token_id),
                    None if scores is None else float(scores[n]),
                )
                for n, ids in enumerate(out.sequences)
            ]
            return out.sequences

        model.generate = scoring

    def batch(self, texts: Sequence[str]) -> list[Decoded]:
        self.engine._generate_batch(list(texts), self.settings, Languages())
        return self.last

    def tokens(self, texts: Sequence[str]) -> list[list[str]]:
        return self.engine.tokenizer.tokenize(list(texts))  # type: ignore[attr-defined]

    def batch_tokens(self, tokens: list[list[str]]) -> list[Decoded]:
        """CTranslate2 only: a batch of already tokenised inputs (a filler has no text)."""
        engine = self.engine
        real_tokenize = engine.tokenizer.tokenize  # type: ignore[attr-defined]
        engine.tokenizer.tokenize = lambda _texts, source=None: tokens  # type: ignore[attr-defined]
        try:
            engine._generate_batch([""] * len(tokens), self.settings, Languages())
        finally:
            engine.tokenizer.tokenize = real_tokenize  # type: ignore[attr-defined]
        return self.last


def differing_tokens(a: Sequence, b: Sequence) -> int:
    """Tokens inserted, deleted or replaced between two outputs."""
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in opcodes if op != "equal")


def compare(role: str, runtime: str, name: str, a: list[Decoded], b: list[Decoded]) -> Row:
    row = Row(role, runtime, name, len(a), 0, [], [])
    for x, y in zip(a, b, strict=True):
        if x.tokens != y.tokens:
            row.changed += 1
            row.tokens_differing.append(differing_tokens(x.tokens, y.tokens))
        if x.score is not None and y.score is not None:
            row.score_deltas.append(abs(x.score - y.score))
    return row


def _filler(tokens: list[str], length: int) -> list[str]:
    """A source of exactly ``length`` tokens ending as ``tokens`` does (its end-of-text)."""
    body = tokens[:-1] or tokens
    filled = (body * (length // len(body) + 1))[: length - 1]
    return [*filled, tokens[-1]]


def _bucketed(recorder: _Recorder, texts: Sequence[str], step: int) -> tuple[list, list]:
    """Each text beside a filler of its bucket's length, alone and with its bucket's texts."""
    tokens = recorder.tokens(texts)
    ceiling = [-(-len(t) // step) * step for t in tokens]
    alone: list[Decoded | None] = [None] * len(texts)
    together: list[Decoded | None] = [None] * len(texts)
    for bound in sorted(set(ceiling)):
        members = [i for i, c in enumerate(ceiling) if c == bound]
        filler = _filler(tokens[members[0]], bound)
        for i in members:
            alone[i] = recorder.batch_tokens([tokens[i], filler])[0]
        # The filler's own output comes last and is left out.
        decoded = recorder.batch_tokens([tokens[i] for i in members] + [filler])
        for i, output in zip(members, decoded[:-1], strict=True):
            together[i] = output
    return alone, together


def measure_engine(
    role: str, engine: Engine, texts: Sequence[str], bucket: int, say: Callable[[str], None]
) -> list[Row]:
    # Translations get one bound for all, as the translator's own bounds would split the batch.
    recorder = _Recorder(engine, None if role == "summarizer" else TRANSLATION_BOUND)
    label = f"{engine.backend}/{engine.compute_type}"
    say(f"{role} {label}: {len(texts)} texts solo")
    solo = [recorder.batch([text])[0] for text in texts]
    say(f"{role} {label}: one mixed batch, twice")
    mixed = recorder.batch(texts)
    again = recorder.batch(texts)
    rows = [
        compare(role, label, "mixed batch vs solo", solo, mixed),
        compare(role, label, "mixed batch vs the same batch again", mixed, again),
    ]
    if engine.backend == "ct2" and bucket:
        say(f"{role} {label}: fixed padded length per {bucket}-token bucket")
        alone, together = _bucketed(recorder, texts, bucket)
        rows.append(
            compare(
                role, label, f"bucket of {bucket}: with partners vs filler only", alone, together
            )
        )
        rows.append(compare(role, label, f"bucket of {bucket}: filler only vs solo", solo, alone))
    return rows


def inputs(role: str, count: int) -> list[str]:
    """Mixed-length generated sentences, or articles cut to a few sentences, for ``role``."""
    from briefly.stages.text import paragraphs, sentences
    from tests.support.text import news_corpus

    if role == "summarizer":
        found = []
        for n, article in enumerate(news_corpus(count, 2)):
            parts = [s for p in paragraphs(article) for s in sentences(p)]
            found.append(" ".join(parts[: 2 + n % 6]))
        return found
    pool = [s for a in news_corpus(40, 1) for p in paragraphs(a) for s in sentences(p)]
    # Spread over the pool so lengths vary as in an article, not one article's sentences.
    return pool[:: max(len(pool) // count, 1)][:count]


def measure(
    kind: str,
    roles: Sequence[str],
    texts: int,
    articles: int,
    bucket: int,
    replica_dir: Path,
    say: Callable[[str], None],
) -> list[Row]:
    from briefly.models.engines import load_engine

    models = model_set(kind, ("uk",), replica_dir)
    rows = []
    for role in roles:
        path = models.paths["summarizer" if role == "summarizer" else "translator:uk"]
        chosen = inputs(role, articles if role == "summarizer" else texts)
        for backend, compute_type in RUNTIMES:
            engine = load_engine(path, device="cpu", backend=backend, compute_type=compute_type)
            rows += measure_engine(role, engine, chosen, bucket, say)
    return rows


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| model | runtime | comparison | outputs changed | tokens differing (mean, max) "
        "| score delta (median, max) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        differing = (
            f"{statistics.mean(r.tokens_differing):.1f}, {max(r.tokens_differing)}"
            if r.tokens_differing
            else "-"
        )
        deltas = (
            f"{statistics.median(r.score_deltas):.2g}, {max(r.score_deltas):.2g}"
            if r.score_deltas
            else "-"
        )
        lines.append(
            f"| {r.role} | {r.runtime} | {r.comparison} | {r.changed}/{r.texts} "
            f"({r.share:.0%}) | {differing} | {deltas} |"
        )
    return "\n".join(lines)
