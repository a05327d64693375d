"""briefly: clean a news article, brief it in English, translate the brief.

>>> from briefly import Briefer, BriefOptions, load_article
>>> brief = Briefer(BriefOptions(languages=("uk", "ru", "hi"))).brief(load_article("article.txt"))
>>> brief.text, brief.translations["uk"]
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from briefly.errors import BrieflyError, InputError, ModelError, UsageError
from briefly.version import __version__ as __version__

if TYPE_CHECKING:
    from briefly.article.loader import Article, load_article, parse_article
    from briefly.batch.local import BatchOptions, BatchReport, run_batch
    from briefly.batch.ray_cluster import run_batch_ray
    from briefly.batch.sources import list_articles, read_jsonl
    from briefly.options import BriefOptions
    from briefly.pipeline import Briefer
    from briefly.results import Brief, GuardWarning, Summary, Translation

__all__ = [
    "Article",
    "BatchOptions",
    "BatchReport",
    "Brief",
    "BriefOptions",
    "Briefer",
    "BrieflyError",
    "GuardWarning",
    "InputError",
    "ModelError",
    "Summary",
    "Translation",
    "UsageError",
    "list_articles",
    "load_article",
    "parse_article",
    "read_jsonl",
    "run_batch",
    "run_batch_ray",
]

# Loaded on first access: importing briefly (and so `briefly --help`) must not
# pay for trafilatura, transformers or torch.
_LAZY = {
    "Article": "briefly.article.loader",
    "load_article": "briefly.article.loader",
    "parse_article": "briefly.article.loader",
    "BriefOptions": "briefly.options",
    "Briefer": "briefly.pipeline",
    "Brief": "briefly.results",
    "GuardWarning": "briefly.results",
    "Summary": "briefly.results",
    "Translation": "briefly.results",
    "BatchOptions": "briefly.batch.local",
    "BatchReport": "briefly.batch.local",
    "run_batch": "briefly.batch.local",
    "run_batch_ray": "briefly.batch.ray_cluster",
    "list_articles": "briefly.batch.sources",
    "read_jsonl": "briefly.batch.sources",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'briefly' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
