"""Extractive briefs: an article's most central sentences, with no model to download.

Sentences are ranked by how much the rest of the article builds on them: TF-IDF cosine
similarity to the sentences after each one (see :func:`_centrality`). News puts its key
facts first, so each score is then weighted by a lead prior that falls with the
sentence's position. Words come from a Unicode-aware
split, so any language works without stemmers or stopword lists.

The same ranking serves "extract-then-abstract": :meth:`ExtractiveSummarizer.select`
with a token budget keeps the most central sentences that fit a model's window.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from briefly.results import Summary
from briefly.stages.text import split_sentences, word_count, words

_TERMINAL = tuple(".!?\u2026\u0964\u0965\u3002\uff01\uff1f\u061f")
_CLOSERS = "\"'\u201d\u2019\u00bb)]\u300d\u300f"
# Menu and breadcrumb separators: a line with several is navigation, not prose.
_SEPARATORS = re.compile(r"[|>\u2022\u00b7\u203a]")

# Above this many sentences the graph is built only on the best candidates by
# lead position and similarity to the whole article, keeping the cost bounded.
_GRAPH_LIMIT = 500
# Candidates this similar to a chosen sentence repeat it and are skipped.
_DUPLICATE = 0.8
# Past this many words a unit is a run-on (a caption the splitter could not part from the
# next sentence, a table): its many words make it central, but it reads badly in a brief and
# crowds out two real sentences, so its score falls in proportion to its length.
_RUN_ON_WORDS = 40
# Score multiplier for fragments (menus, bylines, captions without a full stop).
_FRAGMENT_WEIGHT = 0.05


def sentence_units(text: str) -> list[str]:
    """The sentences of ``text`` an extract is chosen from: those with a letter or digit."""
    return [s for s in split_sentences(text) if any(c.isalnum() for c in s)]


def _is_prose(sentence: str, n_words: int) -> bool:
    finished = sentence.rstrip(_CLOSERS).endswith(_TERMINAL)
    return n_words >= 4 and finished and len(_SEPARATORS.findall(sentence)) < 3


def _tfidf(token_lists: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF weights of each sentence's terms (sublinear tf, idf ``log(n/df)``).

    The sentences are the collection, so every term occurs in at least one and the plain
    idf needs no smoothing. A term in every sentence gets no weight: with no stopword list,
    that is what keeps "the", "said" and their like in other languages from making every
    sentence look similar to every other. (The smoothed ``log((1 + n) / (1 + df)) + 1``
    gave such a term weight 1, against 3 to 4 for a word in one sentence of a 20- to
    50-sentence article.)
    """
    counts = [Counter(tokens) for tokens in token_lists]
    df = Counter(term for c in counts for term in c)
    n = len(counts)
    rows = []
    for c in counts:
        weights = {t: (1 + math.log(tf)) * math.log(n / df[t]) for t, tf in c.items()}
        weights = {t: w for t, w in weights.items() if w > 0}
        # A sentence made only of terms found in every sentence matches nothing.
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        rows.append({t: w / norm for t, w in weights.items()})
    return rows


def _dense(rows: Sequence[dict[str, float]]) -> np.ndarray:
    """``rows`` as a matrix over the terms that two or more of them share.

    A term in one row adds nothing to any similarity, and rows are already
    normalised, so leaving it out keeps the matrix small without changing a cosine.
    """
    df = Counter(t for row in rows for t in row)
    columns = {t: i for i, t in enumerate(t for t, d in df.items() if d > 1)}
    matrix = np.zeros((len(rows), len(columns)))
    for i, row in enumerate(rows):
        for t, w in row.items():
            if t in columns:
                matrix[i, columns[t]] = w
    return matrix


def _closeness(rows: Sequence[dict[str, float]]) -> np.ndarray:
    """Cosine similarity of each row to the whole article (the sum of the rows)."""
    centroid: Counter[str] = Counter()
    for row in rows:
        centroid.update(row)
    norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
    return np.array([sum(w * centroid[t] for t, w in row.items()) / norm for row in rows])


def _centrality(similarity: np.ndarray) -> np.ndarray:
    """How much of the text after each sentence elaborates on it (directed degree centrality).

    News states a fact, then develops it: the sentences that later ones echo are the ones
    they depend on, while an echo of earlier text adds nothing new. Counting only later
    sentences ranks news better than undirected centrality (Zheng and Lapata, "Sentence
    Centrality Revisited for Unsupervised Summarization", ACL 2019).
    """
    # The floor keeps sentences no later one echoes in position order.
    return np.triu(similarity, 1).sum(axis=1) + 1e-3


class ExtractiveSummarizer:
    """Brief articles by picking their most central sentences, favouring the lead.

    ``max_sentences``, ``max_words`` and ``max_tokens`` limit the brief (None: no
    limit). ``lead_bias`` is the exponent of the lead prior ``position ** -lead_bias``
    that weights each sentence's centrality: 0 ranks by centrality alone, the
    default 1 halves the second sentence's weight, and higher values approach
    lead-N.
    """

    def __init__(
        self,
        max_sentences: int | None = 3,
        max_words: int | None = None,
        lead_bias: float = 1.0,
    ) -> None:
        for name, value in (("max_sentences", max_sentences), ("max_words", max_words)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 or None, not {value}")
        if lead_bias < 0:
            raise ValueError(f"lead_bias must be 0 or more, not {lead_bias}")
        self.max_sentences = max_sentences
        self.max_words = max_words
        self.lead_bias = lead_bias

    def summarize(self, texts: Sequence[str]) -> list[Summary]:
        """Brief each article; the interface of :class:`briefly.stages.summarizer.Summarizer`."""
        results = []
        for text in texts:
            chosen = self.select(text)
            # Extraction reads the whole article at once: one chunk, none if empty.
            results.append(Summary(text=" ".join(chosen), chunks=1 if chosen else 0))
        return results

    def select(
        self,
        text: str,
        *,
        max_sentences: int | None = None,
        max_words: int | None = None,
        max_tokens: int | None = None,
        count_tokens: Callable[[list[str]], list[int]] | None = None,
    ) -> list[str]:
        """The most central sentences of ``text`` within the limits, in their original order.

        Limits left as None fall back to this summariser's own. Sentences are
        taken best first, skipping any that would break a limit, so a long
        sentence gives way to a shorter one further down the ranking. If no
        sentence fits ``max_words``, the best one is kept whole: a brief never ends
        mid-sentence. Only ``max_tokens``, a model's hard window, cuts the best
        sentence at a word boundary. The result is never empty for text with words in it.

        ``max_tokens`` is measured with ``count_tokens`` (a batch counter such as a
        tokenizer's), on the joined result, so the selection fits a model's window.
        To fill a window rather than write a brief, use a summariser made with
        ``max_sentences=None``.
        """
        max_sentences = max_sentences if max_sentences is not None else self.max_sentences
        max_words = max_words if max_words is not None else self.max_words
        window: tuple[int, Callable[[list[str]], list[int]]] | None = None
        if max_tokens is not None:
            if count_tokens is None:
                raise ValueError("max_tokens needs count_tokens, the function that measures tokens")
            window = (max_tokens, count_tokens)
        units = sentence_units(text)
        if not units:
            return []
        order, candidates, similarity = self._rank(units)
        # One batched call: tokenizers are much faster on a list than one by one.
        tokens = window[1](units) if window is not None else [0] * len(units)
        budget = window[0] if window is not None else math.inf
        chosen: list[int] = []  # positions in ``candidates``
        used_words = used_tokens = 0
        for k in order:
            i = candidates[k]
            if max_sentences is not None and len(chosen) == max_sentences:
                break
            n_words = word_count(units[i])
            if max_words is not None and used_words + n_words > max_words:
                continue
            if used_tokens + tokens[i] > budget:
                continue
            if chosen and similarity[k, chosen].max() > _DUPLICATE:
                continue
            chosen.append(k)
            used_words += n_words
            used_tokens += tokens[i]
        picked = sorted(int(candidates[k]) for k in chosen)
        best = int(candidates[order[0]])
        if window is not None:
            limit, count = window
            # Sentences counted alone can total a token or two less than joined.
            while len(chosen) > 1 and _joined_tokens(units, picked, count) > limit:
                chosen.pop()
                picked = sorted(int(candidates[k]) for k in chosen)
            if not picked or _joined_tokens(units, picked, count) > limit:
                # A model's window is a hard limit: only there is a sentence cut.
                return [_cut(units[best], limit, count)]
        if not picked:
            # A word limit no sentence fits: the best sentence whole, never half of one.
            return [units[best]]
        return [units[i] for i in picked]

    def _rank(self, units: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rank candidate sentences: (order best first, candidates, similarity).

        ``order`` and the rows and columns of ``similarity`` index ``candidates``,
        which holds indices into ``units``.
        """
        token_lists = [words(u) for u in units]
        prose = np.array(
            [_is_prose(u, len(t)) for u, t in zip(units, token_lists, strict=True)], dtype=bool
        )
        # Position counts prose only, so a menu or byline above the lead does not
        # take the lead's place.
        position = np.cumsum(prose) - prose
        prior = (1.0 + position) ** -self.lead_bias * np.where(prose, 1.0, _FRAGMENT_WEIGHT)
        lengths = np.array([max(len(t), 1) for t in token_lists])
        prior *= np.minimum(1.0, _RUN_ON_WORDS / lengths)
        rows = _tfidf(token_lists)
        candidates = np.arange(len(units))
        if len(units) > _GRAPH_LIMIT:
            # The small constant keeps early sentences that share no word with the rest.
            keep = np.argsort(-(_closeness(rows) + 1e-3) * prior, kind="stable")
            candidates = np.sort(keep[:_GRAPH_LIMIT])
        vectors = _dense([rows[i] for i in candidates])
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, 0.0)
        scores = _centrality(similarity) * prior[candidates]
        return np.argsort(-scores, kind="stable"), candidates, similarity


def _joined_tokens(
    units: list[str], picked: list[int], count: Callable[[list[str]], list[int]]
) -> int:
    return count([" ".join(units[i] for i in picked)])[0]


def _cut(sentence: str, max_tokens: int, count_tokens: Callable[[list[str]], list[int]]) -> str:
    """The longest word-boundary prefix of ``sentence`` within ``max_tokens`` (at least one word).

    Text in a script without spaces is cut between characters instead.
    """
    pieces, joiner = sentence.split(), " "
    if len(pieces) == 1:
        pieces, joiner = list(sentence), ""

    def fits(n: int) -> bool:
        return count_tokens([joiner.join(pieces[:n])])[0] <= max_tokens

    low, high = 1, len(pieces)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return joiner.join(pieces[:low])
