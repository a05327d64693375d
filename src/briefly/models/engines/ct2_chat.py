"""A chat model's prompt format for the CTranslate2 backend, without jinja or transformers.

briefly sends a chat model one user turn and asks for the assistant's reply, so the chat
template always renders the same text before and after the user's message. At conversion
time :func:`export_chat_template` renders the template once around a placeholder and keeps
the two sides; the runtime wraps each text in them (see :class:`ChatTemplate`). The export is
checked against transformers' own rendering on probe texts, so a template whose output
depends on the message in other ways fails the conversion instead of changing prompts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from briefly.models.prompts import CHAT_TURN

# Private-use characters: no template treats them specially and no message holds them.
_PLACEHOLDER = "\ue000briefly\ue001"
# Padding at both ends, a blank line and characters templates might escape.
_PROBES = ("Rain in Lviv.", "  Kyiv, 12 May: prices rose 3.5% «news» {x} <b>\n\nSecond.\n ")


@dataclass(frozen=True)
class ChatTemplate:
    """The text around the user's message in a one-turn prompt; empty for a plain model."""

    prefix: str = ""  # everything before the message, the BOS token included
    suffix: str = ""  # everything after it: end of turn and the assistant's header
    strip: bool = False  # whether the template trims the message first (jinja's trim)

    def render(self, text: str) -> str:
        return self.prefix + (text.strip() if self.strip else text) + self.suffix


def export_chat_template(tokenizer) -> dict | None:
    """What :class:`ChatTemplate` needs to render ``tokenizer``'s (a transformers tokenizer's)
    chat template as transformers does, or None for a tokenizer without one.

    Raises ValueError for a template that renders a message other than verbatim or trimmed.
    """
    if tokenizer.chat_template is None:
        return None
    rendered = _render(tokenizer, _PLACEHOLDER)
    if rendered.count(_PLACEHOLDER) != 1:
        raise ValueError("the chat template does not write the message once as it is")
    prefix, suffix = rendered.split(_PLACEHOLDER)
    trimmed = _render(tokenizer, f" {_PLACEHOLDER} ") == rendered
    template = ChatTemplate(prefix, suffix, trimmed)
    for probe in _PROBES:
        if template.render(probe) != _render(tokenizer, probe):
            raise ValueError("the chat template renders messages differently when rebuilt")
    return asdict(template)


def _render(tokenizer, text: str) -> str:
    return tokenizer.apply_chat_template([{"role": "user", "content": text}], **CHAT_TURN)
