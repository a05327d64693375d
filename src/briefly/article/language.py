"""Detecting the language a text is written in, with py3langid's model loaded once per process.

py3langid ships its model xz-compressed, and unpacking it took 0.65 s in every process that
checked a language (issue 28). The first process keeps the unpacked arrays in briefly's cache
(an uncompressed ``.npz``, about 70 MB, named by py3langid's version); later ones read that.
"""

from __future__ import annotations

import logging
import os
import tempfile
from array import array
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefly.cache import cache_home

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

logger = logging.getLogger("briefly")

# The fields of py3langid.modelio.load_model's tuple, in its order.
_FIELDS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when there is too little text to tell.

    Text is lower-cased first: langid's features are case-sensitive and mistake
    all-caps English for other languages.
    """
    sample = " ".join(text.split())[:4000].lower()
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    lang, _score = identifier().classify(sample)
    return lang


@lru_cache(maxsize=2)
def identifier(norm_probs: bool = False) -> LanguageIdentifier:
    """py3langid's identifier; ``norm_probs`` makes its scores probabilities."""
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = _model()
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=norm_probs, tk_row=row)


@lru_cache(maxsize=1)
def _model() -> tuple[Any, ...]:
    import py3langid

    unpacked = cache_home() / "langid" / f"model-{py3langid.__version__}.npz"
    try:
        return _read(unpacked)
    except (OSError, ValueError, KeyError):
        pass  # not there yet, or damaged: unpack py3langid's own file again
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    model = load_model(MODEL_DIR / MODEL_FILE)
    try:
        _write(unpacked, model)
    except OSError as e:  # a read-only cache only costs the next process the unpacking
        logger.info("cannot keep the language model in %s: %s", unpacked.parent, e)
    return model


def _read(path: Path) -> tuple[Any, ...]:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        return (
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            _stdlib_array(data["nextmove"]),
            _stdlib_array(data["row"]),
            data["output"].tolist(),
        )


def _stdlib_array(values: Any) -> array:
    # py3langid walks its automaton one byte at a time: a stdlib array indexes faster there.
    typecodes = {2: "H", 4: "I", 8: "L"}
    out = array(typecodes[values.dtype.itemsize])
    out.frombytes(values.data.cast("B"))
    return out


def _write(path: Path, model: tuple[Any, ...]) -> None:
    """Write ``model`` beside ``path`` and rename it into place, so no reader sees half."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(zip(_FIELDS, model, strict=True))
    arrays["nextmove"] = np.frombuffer(model[3], dtype=f"u{model[3].itemsize}")
    arrays["row"] = np.frombuffer(model[4], dtype=f"u{model[4].itemsize}")
    arrays["output"] = np.asarray(model[5], dtype=np.int32)
    arrays["classes"] = np.asarray(model[2])
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.partial")
    try:
        with os.fdopen(handle, "wb") as f:
            np.savez(f, **arrays)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
