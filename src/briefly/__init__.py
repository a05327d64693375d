"""briefly: clean a news article, brief it in English, translate the brief.

>>> from briefly import Briefer, load_article
>>> brief = Briefer(languages=("uk", "ru", "hi")).brief(load_article("article.txt"))
>>> brief.brief, brief.translations["uk"]
"""

from importlib import import_module

from briefly.errors import BrieflyError, InputError, ModelError, UsageError

__all__ = [
    "Article",
    "Brief",
    "Briefer",
    "BrieflyError",
    "InputError",
    "ModelError",
    "UsageError",
    "load_article",
]

__version__ = "0.1.0"

# Loaded on first access: importing briefly (and so `briefly --help`) must not
# pay for trafilatura, transformers or torch.
_LAZY = {
    "Article": "briefly.loader",
    "load_article": "briefly.loader",
    "Brief": "briefly.pipeline",
    "Briefer": "briefly.pipeline",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'briefly' has no attribute {name!r}")
