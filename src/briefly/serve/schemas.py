"""Request bodies. Unknown fields are ignored, as LibreTranslate clients send extras."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_key: str | None = Field(None, description="Key when the server has --api-keys.")


class ArticleRequest(_Request):
    """Exactly one of ``text``, ``html``, ``url`` or ``file``."""

    text: str | None = Field(None, description="The article as plain text.")
    html: str | None = Field(None, description="The article's web page.")
    url: str | None = Field(None, description="http(s) address to fetch (needs --allow-urls).")
    source: str | None = Field(
        None,
        description="What the answer's source calls a text, html or file article, such as its "
        "file name; default: 'text', 'html' or 'file'. A url article's source is its URL.",
    )
    file: bytes | None = Field(
        None,
        description="An uploaded article file (multipart/form-data): .txt, .md, .html, .pdf "
        "or .docx.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ArticleRequest:
        fields = ("text", "html", "url", "file")
        given = [name for name in fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, html, url or file")
        return self


class BriefRequest(ArticleRequest):
    to: list[str] | str | None = Field(
        None,
        description="Languages, a list or comma-separated ('none': English only); "
        "default: all the server's.",
    )
    length: Literal["short", "medium", "long"] | None = Field(None, description="Brief length.")
    # Any number: BriefOptions says which are allowed, as it does for the CLI and the API.
    max_words: int | float | None = Field(None, description="At most about this many words.")


class TranslateRequest(_Request):
    """LibreTranslate's /translate."""

    q: str | list[str] = Field(description="English text, or a list of texts.")
    source: str = Field("en", description="en, or auto to detect (and report) the language.")
    target: str = Field(description="A language the server has loaded (see /languages).")
    format: Literal["text", "html"] = "text"


class DetectRequest(_Request):
    """LibreTranslate's /detect."""

    q: str = Field(description="Text whose language to detect.")
