"""Tokenizers for the CTranslate2 backend that need neither transformers nor torch.

transformers' tokenizer classes import torch, which alone costs ~230 MB of memory in a
process that CTranslate2 otherwise runs in far less. At conversion time, where
transformers is loaded anyway, :func:`export_tokenizer` writes what the model's
tokenizer does into the converted model's folder: the ``tokenizers`` pipeline of a fast
tokenizer (BART), or the SentencePiece models and vocabulary of a Marian tokenizer. At
run time :func:`load_tokenizer` rebuilds it from those files with ``tokenizers`` or
``sentencepiece`` alone. The export is checked against the original on a probe text, so
a tokenizer that cannot be reproduced fails the conversion instead of changing outputs.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

# Punctuation, an apostrophe, digits, an accent, a dash and quotes: the places where
# tokenizers differ in how they split and how decoding spaces them.
_PROBE = "Kyiv , 12 May 2024 . Isn't it «news»? Café — prices rose 3.5% !"


class BPETokenizer:
    """A fast (``tokenizers``) tokenizer, as BART models use, from its ``tokenizer.json``."""

    def __init__(self, folder: Path, spec: dict) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(folder / spec["file"]))
        # Padding and truncation are call-time settings in transformers; briefly never wants them.
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._clean_up = spec["clean_up"]
        self.special_tokens = frozenset(spec["special_tokens"])

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text as the model's input tokens, special tokens included."""
        return [encoding.tokens for encoding in self._tokenizer.encode_batch(list(texts))]

    def decode(self, tokens: Sequence[str]) -> str:
        """The text of output tokens, special tokens left out."""
        ids = [self._tokenizer.token_to_id(token) for token in tokens]
        text = self._tokenizer.decode([i for i in ids if i is not None], skip_special_tokens=True)
        return clean_up_spaces(text) if self._clean_up else text

    def vocabulary(self) -> dict[str, int]:
        return self._tokenizer.get_vocab()


class MarianTokenizer:
    """OPUS-MT's tokenizer: SentencePiece pieces looked up in a separate vocabulary."""

    def __init__(self, folder: Path, spec: dict) -> None:
        import sentencepiece

        self._source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self._target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        self._vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        self._unk = spec["unk_token"]
        self._eos = spec["eos_token"]
        self._clean_up = spec["clean_up"]
        self.special_tokens = frozenset(spec["special_tokens"])
        # Special tokens written in the text stay whole, as transformers keeps them.
        self._specials = re.compile(
            "(" + "|".join(re.escape(t) for t in sorted(self.special_tokens, key=len)[::-1]) + ")"
        )

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text as the model's input tokens, ending with the end-of-sentence token."""
        return [self._tokenize(text) + [self._eos] for text in texts]

    def _tokenize(self, text: str) -> list[str]:
        tokens = []
        for part in self._specials.split(text):
            if part in self.special_tokens:
                tokens.append(part)
            elif part:
                tokens += self._pieces(part)
        return tokens

    def _pieces(self, text: str) -> list[str]:
        # A leading >>xxx<< selects the target language of a multilingual model; it is one
        # token, never split by SentencePiece.
        code = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[: end + 2]], text[end + 2 :]
        pieces = code + self._source.encode(text, out_type=str)
        return [piece if piece in self._vocab else self._unk for piece in pieces]

    def decode(self, tokens: Sequence[str]) -> str:
        """The text of output tokens, special tokens left out."""
        pieces = [token for token in tokens if token not in self.special_tokens]
        text = self._target.decode_pieces(pieces).replace("\u2581", " ").strip()
        return clean_up_spaces(text) if self._clean_up else text

    def vocabulary(self) -> dict[str, int]:
        return self._vocab


def clean_up_spaces(text: str) -> str:
    """transformers' ``clean_up_tokenization``, for tokenizers configured to apply it."""
    for spaced, joined in (
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ):
        text = text.replace(spaced, joined)
    return text


_KINDS = {"bpe": BPETokenizer, "marian": MarianTokenizer}


def load_tokenizer(folder: Path, spec: dict) -> BPETokenizer | MarianTokenizer:
    """The tokenizer that :func:`export_tokenizer` described with ``spec`` in ``folder``."""
    return _KINDS[spec["kind"]](folder, spec)


def export_tokenizer(tokenizer, folder: Path) -> dict:
    """Write what ``tokenizer`` (a transformers tokenizer) needs into ``folder``; return its spec.

    Raises ValueError for a tokenizer that cannot be reproduced without transformers.
    """
    spec = {
        "special_tokens": sorted(tokenizer.all_special_tokens),
        "unk_token": tokenizer.unk_token,
        "eos_token": tokenizer.eos_token,
        "clean_up": False,
    }
    if hasattr(tokenizer, "backend_tokenizer"):
        spec |= {"kind": "bpe", "file": "tokenizer.json"}
        tokenizer.backend_tokenizer.save(str(folder / spec["file"]))
    elif hasattr(tokenizer, "spm_files") and not getattr(tokenizer, "separate_vocabs", False):
        spec["kind"] = "marian"
        source, target = tokenizer.spm_files
        shutil.copyfile(source, folder / "source.spm")
        shutil.copyfile(target, folder / "target.spm")
        (folder / "vocab.json").write_text(
            json.dumps(tokenizer.encoder, ensure_ascii=False), encoding="utf-8"
        )
    else:
        raise ValueError(f"{type(tokenizer).__name__} cannot run without transformers")
    return _checked(tokenizer, folder, spec)


def _checked(tokenizer, folder: Path, spec: dict) -> dict:
    """``spec``, once the rebuilt tokenizer tokenizes and decodes the probe as the original."""
    ids = tokenizer(_PROBE)["input_ids"]
    rebuilt = load_tokenizer(folder, spec)
    tokens = rebuilt.tokenize([_PROBE])[0]
    if tokens != tokenizer.convert_ids_to_tokens(ids):
        raise ValueError(f"{type(tokenizer).__name__} splits text differently when rebuilt")
    expected = tokenizer.decode(ids, skip_special_tokens=True)
    decoded = rebuilt.decode(tokens)
    # Whether transformers tidies spaces before punctuation depends on the tokenizer's
    # settings and the transformers version; the original's output tells.
    if decoded != expected and clean_up_spaces(decoded) == expected:
        spec["clean_up"] = True
    elif decoded != expected:
        raise ValueError(f"{type(tokenizer).__name__} decodes differently when rebuilt")
    return spec
