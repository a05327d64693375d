"""HTML fragments for LibreTranslate's ``format=html``: the text runs change, the tags stay."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import lxml.html
from lxml import etree

from briefly.article.pages import DEEPEST, check_cost, cut_short, deep_parser
from briefly.errors import InputError

_SKIPPED = frozenset({"script", "style", "code", "pre"})


def text_runs(html: str) -> tuple[list[str], Callable[[Sequence[str]], str]]:
    """The text runs of ``html``, and a function that puts translated runs back in their place."""
    check_cost(html, "q")
    parser = deep_parser()
    root = lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)
    if cut_short(parser):
        raise InputError(
            f"q's HTML nests tags more than {DEEPEST} deep, and what lies deeper would be lost: "
            "send flatter HTML",
            "too_complex",
        )
    slots: list[tuple[etree._Element, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        if any(a.tag in _SKIPPED for a in element.iterancestors()):
            continue
        if element.tag not in _SKIPPED and element.text and element.text.strip():
            slots.append((element, "text"))
        if element is not root and element.tail and element.tail.strip():
            slots.append((element, "tail"))

    def rebuild(translated: Sequence[str]) -> str:
        for (element, attr), text in zip(slots, translated, strict=True):
            original = getattr(element, attr)
            # The whitespace around a run separates it from the neighbouring tags: keep it.
            lead = original[: len(original) - len(original.lstrip())]
            trail = original[len(original.rstrip()) :]
            setattr(element, attr, f"{lead}{text}{trail}")
        return (root.text or "") + "".join(
            etree.tostring(child, encoding="unicode", method="html") for child in root
        )

    return [getattr(element, attr).strip() for element, attr in slots], rebuild
