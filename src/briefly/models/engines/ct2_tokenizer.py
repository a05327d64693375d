"""Tokenizers for the CTranslate2 backend that need neither transformers nor torch.

transformers' tokenizer classes import torch, which alone costs ~230 MB of memory in a
process that CTranslate2 otherwise runs in far less. At conversion time, where
transformers is loaded anyway, :func:`export_tokenizer` writes what the model's
tokenizer does into the converted model's folder: the ``tokenizers`` pipeline of a fast
tokenizer (BART, PEGASUS, T5, mT5, NLLB, mBART-50), or the SentencePiece models and vocabulary
of a Marian or M2M100 tokenizer. At
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


class _Tokenizer:
    """What all kinds share: the source-language token a multilingual model's input starts with."""

    def __init__(self, spec: dict) -> None:
        # The token the exported tokenizer writes first (NLLB's eng_Latn, M2M100's __en__),
        # or None for a model without source-language tokens.
        self._source_token = spec.get("source_token")
        self.special_tokens = frozenset(spec["special_tokens"])

    def tokenize(self, texts: Sequence[str], source: str | None = None) -> list[list[str]]:
        """Each text as the model's input tokens; ``source`` replaces the source-language token."""
        tokenized = self._tokenize_all(texts)
        if source is not None and self._source_token is not None:
            for tokens in tokenized:
                if tokens and tokens[0] == self._source_token:
                    tokens[0] = source
        return tokenized

    def _tokenize_all(self, texts: Sequence[str]) -> list[list[str]]:
        raise NotImplementedError

    def decode(self, tokens: Sequence[str]) -> str:
        """The text of output tokens, special tokens left out."""
        raise NotImplementedError

    def vocabulary(self) -> dict[str, int]:
        raise NotImplementedError


class BPETokenizer(_Tokenizer):
    """A fast (``tokenizers``) tokenizer, as BART and T5 models use, from its ``tokenizer.json``."""

    def __init__(self, folder: Path, spec: dict) -> None:
        from tokenizers import Tokenizer

        super().__init__(spec)
        self._tokenizer = Tokenizer.from_file(str(folder / spec["file"]))
        # Padding and truncation are call-time settings in transformers; briefly never wants them.
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._clean_up = spec["clean_up"]
        # False for a chat model's rendered prompt, which holds its special tokens already.
        self._add_special_tokens = spec["add_special_tokens"]

    def _tokenize_all(self, texts: Sequence[str]) -> list[list[str]]:
        # Tokens from ids, not the encoding's own strings: those keep an unknown character as
        # written, where the model sees the unknown token.
        token = self._tokenizer.id_to_token
        encodings = self._tokenizer.encode_batch(
            list(texts), add_special_tokens=self._add_special_tokens
        )
        # id_to_token is None only for an id outside the vocabulary, which encoding never gives.
        return [[t for i in e.ids if (t := token(i)) is not None] for e in encodings]

    def decode(self, tokens: Sequence[str]) -> str:
        """The text of output tokens, special tokens left out."""
        ids = [self._tokenizer.token_to_id(token) for token in tokens]
        text = self._tokenizer.decode([i for i in ids if i is not None], skip_special_tokens=True)
        return clean_up_spaces(text) if self._clean_up else text

    def vocabulary(self) -> dict[str, int]:
        return self._tokenizer.get_vocab()


class MarianTokenizer(_Tokenizer):
    """OPUS-MT's tokenizer: SentencePiece pieces looked up in a separate vocabulary."""

    def __init__(self, folder: Path, spec: dict) -> None:
        import sentencepiece

        super().__init__(spec)
        self._source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self._target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        self._vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        self._unk = spec["unk_token"]
        self._eos = spec["eos_token"]
        self._clean_up = spec["clean_up"]
        # Special tokens written in the text stay whole, as transformers keeps them.
        self._specials = re.compile(
            "(" + "|".join(re.escape(t) for t in sorted(self.special_tokens, key=len)[::-1]) + ")"
        )

    def _tokenize_all(self, texts: Sequence[str]) -> list[list[str]]:
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


class M2M100Tokenizer(_Tokenizer):
    """M2M100's tokenizer: the source-language token, SentencePiece pieces, end of sentence."""

    def __init__(self, folder: Path, spec: dict) -> None:
        import sentencepiece

        super().__init__(spec)
        self._spm = sentencepiece.SentencePieceProcessor(model_file=str(folder / "spm.model"))
        self._vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        self._unk = spec["unk_token"]
        self._eos = spec["eos_token"]
        self._clean_up = spec["clean_up"]

    def _tokenize_all(self, texts: Sequence[str]) -> list[list[str]]:
        return [
            [self._source_token]
            + [p if p in self._vocab else self._unk for p in self._spm.encode(t, out_type=str)]
            + [self._eos]
            for t in texts
        ]

    def decode(self, tokens: Sequence[str]) -> str:
        """The text of output tokens, special and language tokens left out."""
        pieces = [token for token in tokens if token not in self.special_tokens]
        text = self._spm.decode_pieces(pieces).strip()
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


_KINDS = {"bpe": BPETokenizer, "marian": MarianTokenizer, "m2m100": M2M100Tokenizer}


def load_tokenizer(folder: Path, spec: dict) -> _Tokenizer:
    """The tokenizer that :func:`export_tokenizer` described with ``spec`` in ``folder``."""
    return _KINDS[spec["kind"]](folder, spec)


def export_tokenizer(tokenizer, folder: Path, add_special_tokens: bool = True) -> dict:
    """Write what ``tokenizer`` (a transformers tokenizer) needs into ``folder``; return its spec.

    ``add_special_tokens=False`` tokenizes text that already holds them, such as a rendered
    chat prompt (fast tokenizers only). Raises ValueError for a tokenizer that cannot be
    reproduced without transformers.
    """
    spec = {
        "special_tokens": sorted(tokenizer.all_special_tokens),
        "unk_token": tokenizer.unk_token,
        "eos_token": tokenizer.eos_token,
        "clean_up": False,
        "add_special_tokens": add_special_tokens,
    }
    if getattr(tokenizer, "src_lang", None):
        # The tokenizer writes its current source language first; the engine swaps it per call.
        probe = tokenizer("x")["input_ids"]
        spec["source_token"] = tokenizer.convert_ids_to_tokens(probe)[0]
    if not add_special_tokens and not hasattr(tokenizer, "backend_tokenizer"):
        raise ValueError(
            f"{type(tokenizer).__name__} cannot tokenize a chat prompt without transformers"
        )
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
    elif hasattr(tokenizer, "lang_token_to_id") and hasattr(tokenizer, "spm_file"):
        spec["kind"] = "m2m100"
        spec["special_tokens"] = sorted({*spec["special_tokens"], *tokenizer.lang_token_to_id})
        shutil.copyfile(tokenizer.spm_file, folder / "spm.model")
        (folder / "vocab.json").write_text(
            json.dumps(tokenizer.get_vocab(), ensure_ascii=False), encoding="utf-8"
        )
    else:
        raise ValueError(f"{type(tokenizer).__name__} cannot run without transformers")
    return _checked(tokenizer, folder, spec)


def _checked(tokenizer, folder: Path, spec: dict) -> dict:
    """``spec``, once the rebuilt tokenizer tokenizes and decodes the probe as the original."""
    ids = tokenizer(_PROBE, add_special_tokens=spec["add_special_tokens"])["input_ids"]
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
