"""Bytes to text: BOMs, UTF-8 (also with a few stray bytes), UTF-16 without BOM, a declared
charset, Cyrillic code pages, then detection.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import math
import re
import unicodedata

import charset_normalizer

from briefly.article.reading import label
from briefly.errors import InputError

logger = logging.getLogger("briefly")

# Binary files decoded by a lenient detector come out full of control
# characters; real text, even badly scraped, has almost none.
_MAX_CONTROL_RATIO = 0.02
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# Pages declare their encoding near the top; looking further only finds
# "charset" in the article text.
_CHARSET_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Short texts fit several single-byte code pages about as well; windows-1252 is
# by far the most common legacy encoding of news pages, so it wins near-ties.
_CP1252_MARGIN = 0.1
# Browsers read these labels as windows-1252 (WHATWG Encoding).
_WESTERN_LABELS = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy text almost never holds a valid multi-byte UTF-8 sequence by chance, so text
# with several of them per invalid byte is UTF-8 with damage, not another encoding.
_UTF8_VALID_PER_INVALID = 3
# UTF-16 text in Latin script has a NUL in every other byte; binary data has NULs anywhere.
_UTF16_MIN_NUL_SHARE = 0.3
_UTF16_MAX_OTHER_NUL_SHARE = 0.02
# Cyrillic code pages, most common first (ties go to the first).
_CYRILLIC_ENCODINGS = ("cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5")
# Letter frequencies (%) in Russian and Ukrainian news text; the Ukrainian-only letters
# are rounded down so that Russian wins where the two read the same.
_CYRILLIC_FREQUENCY = {
    **dict(zip("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё", map(float, (
        "10.97 8.45 8.01 7.35 6.70 6.26 5.47 4.73 4.54 4.40 3.49 3.21 2.98 2.81 2.62 2.01 "
        "1.90 1.74 1.70 1.65 1.59 1.44 1.21 0.97 0.94 0.73 0.64 0.48 0.36 0.32 0.26 0.04 0.04"
    ).split()), strict=True)),
    "і": 4.0, "ї": 0.5, "є": 0.3, "ґ": 0.01,
}  # fmt: skip
# Log-likelihood per non-ASCII character, below which a Cyrillic reading is not trusted:
# Russian text scores about -3.3 (mostly lowercase, frequent letters), a wrong code page
# -6 or less (the case flips and letters map to rare ones).
_MIN_CYRILLIC_SCORE = -4.5
_UPPER_SHARE = 0.1
# Enough text to tell code pages apart; scoring more only costs time.
_SAMPLE_BYTES = 1 << 16
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_ASCII_LETTER = re.compile(rb"[A-Za-z]")
_NON_LETTER_LOG_P = math.log(1e-4)


def decode_bytes(
    data: bytes, source: str = "", declared: str | None = None, *, nfc: bool = True
) -> str:
    """Decode article bytes to NFC text; ``declared`` is a charset from HTTP headers.

    ``nfc=False`` leaves normalisation to the caller: a page's story is a small part of it,
    and normalising only that saves most of the cost on large pages.
    Raises :class:`InputError` (kind "binary") for data that is not text.
    """
    text = None if declared is None else _decode_as(data, declared)
    if text is None:
        text = _decode(data, source)
    text = text.removeprefix("\ufeff")
    check_not_binary(text, source)
    return unicodedata.normalize("NFC", text) if nfc else text


def check_not_binary(text: str, source: str) -> None:
    """Raise :class:`InputError` (kind "binary") when ``text`` is full of control characters."""
    controls = len(_CONTROL_CHARS.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_RATIO * len(text):
        raise _binary_error(source)


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise _binary_error(source) from e
    if b"\x00" in data:
        return _decode_utf16(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        logger.debug("Input is not UTF-8; looking for its encoding")
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    declared = _META_CHARSET.search(data[:_CHARSET_SNIFF_BYTES])
    if declared:
        text = _decode_as(data, declared[1].decode("ascii"))
        if text is not None:
            return text
    cyrillic = _cyrillic(data)
    if cyrillic is not None:
        return cyrillic
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise _binary_error(source)
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos + _CP1252_MARGIN:
        best = western
    logger.debug("Detected encoding %s", best.encoding)
    return str(best)


def _decode_utf16(data: bytes, source: str) -> str:
    """UTF-16 without a BOM, told by its NULs in alternate bytes; other data with NULs is binary."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = max(len(data) // 2, 1)
    for nuls, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= _UTF16_MIN_NUL_SHARE * half and others <= _UTF16_MAX_OTHER_NUL_SHARE * half:
            with contextlib.suppress(UnicodeDecodeError):
                return data.decode(encoding)
    raise _binary_error(source)


def _damaged_utf8(data: bytes) -> str | None:
    """UTF-8 with stray bytes replaced, when the rest is clearly UTF-8; else None."""
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    ascii_chars = len(data) - len(data.translate(None, delete=bytes(range(0x80))))
    valid = len(text) - ascii_chars - text.count("\ufffd")
    if valid >= _UTF8_VALID_PER_INVALID * invalid:
        logger.debug("Input is UTF-8 with %d invalid bytes; replacing them", invalid)
        return text
    return None


def _cyrillic(data: bytes) -> str | None:
    """The best Cyrillic code page's reading, when the text is plausibly Russian or Ukrainian.

    Detectors guess poorly on short texts in these code pages: every byte is a letter
    in each of them, so only letter frequencies and case tell them apart.
    """
    sample = data[:_SAMPLE_BYTES]
    if len(_HIGH_BYTE.findall(sample)) < len(_ASCII_LETTER.findall(sample)):
        return None  # mostly ASCII letters: not a Cyrillic text
    scored = [(_cyrillic_score(sample.decode(e, "replace")), e) for e in _CYRILLIC_ENCODINGS]
    score, encoding = max(scored, key=lambda s: s[0])
    if score < _MIN_CYRILLIC_SCORE:
        return None
    logger.debug("Decoding as %s (Cyrillic score %.2f)", encoding, score)
    return data.decode(encoding, "replace")


def _cyrillic_score(text: str) -> float:
    """Mean log-likelihood of the non-ASCII characters under Russian letter statistics."""
    total = 0.0
    count = 0
    for char in text:
        if char <= "\x7f":
            continue
        count += 1
        frequency = _CYRILLIC_FREQUENCY.get(char.lower())
        if frequency is None:
            total += _NON_LETTER_LOG_P
            continue
        case = _UPPER_SHARE if char.isupper() else 1 - _UPPER_SHARE
        total += math.log(frequency / 100 * case)
    return total / count if count else -math.inf


def _decode_as(data: bytes, label_: str) -> str | None:
    """Decode with a declared charset, or None when it is unknown or wrong."""
    try:
        encoding = codecs.lookup(label_).name.replace("-", "_")
    except LookupError:
        logger.debug("Ignoring unknown charset %r", label_)
        return None
    if encoding in _WESTERN_LABELS:
        # Servers send these labels by default, for UTF-8 pages too; bytes that
        # decode as UTF-8 are UTF-8.
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-8")
        encoding = "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        logger.debug("Data does not decode as its declared charset %r", label_)
        return None


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{label(source)} looks like a binary file, not text: give a .txt, .md, .html, .pdf "
        "or .docx article.",
        "binary",
    )
