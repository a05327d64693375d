"""trafilatura as the teacher: its main text and metadata of a page's HTML."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Extraction:
    """What trafilatura finds in a page."""

    text: str
    title: str | None
    authors: list[str] = field(default_factory=list)
    url: str | None = None


def extract(html: str, url: str | None = None) -> Extraction:
    """trafilatura's main text (one paragraph a line), title and authors; comments left out."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False) or ""
    meta = trafilatura.extract_metadata(html, default_url=url)
    authors = split_authors(meta.author) if meta and meta.author else []
    return Extraction(
        text=text,
        title=meta.title if meta else None,
        authors=authors,
        url=meta.url if meta else None,
    )


def split_authors(authors: str) -> list[str]:
    """trafilatura joins several authors with "; "."""
    return [name.strip() for name in authors.split(";") if name.strip()]


def checked(gold: str, must: tuple[str, ...], must_not: tuple[str, ...]) -> str | None:
    """``gold`` less its lines holding a string of ``must_not`` (furniture the teacher kept,
    by people's judgement), or None where it misses a string of ``must`` (story it lost);
    spaces compared as one."""
    unwanted = [_spaced(s) for s in must_not]
    lines = [line for line in gold.split("\n") if not any(u in _spaced(line) for u in unwanted)]
    text = _spaced("\n".join(lines))
    if not all(_spaced(s) in text for s in must):
        return None
    return "\n".join(lines)


def _spaced(text: str) -> str:
    return " ".join(text.split())
