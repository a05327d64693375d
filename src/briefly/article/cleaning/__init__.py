"""Plain-text cleaning of scraped news articles: page furniture out, title, author and date kept.

Text comes as a scraper, ``lynx -dump``, ``w3m -dump``, BeautifulSoup's ``get_text()``,
``html2text`` or a browser's copy leaves it. :mod:`.layout` undoes the layout (hard wraps,
Markdown, split inline elements), :mod:`.classify` finds furniture certain by its shape,
:mod:`.features` and :mod:`.model` tell story from the rest with a model learned from
labelled pages, :mod:`.metadata` reads the headline, byline and date, and :mod:`.clean`
puts it together, backing off whenever a rule would empty the article.
"""

from briefly.article.cleaning.clean import (
    CleanedText,
    Removed,
    clean_paragraphs,
    clean_text,
    recurring_lines,
)
from briefly.article.cleaning.layout import normalize_text
from briefly.article.cleaning.metadata import parse_date

__all__ = [
    "CleanedText",
    "Removed",
    "clean_paragraphs",
    "clean_text",
    "normalize_text",
    "parse_date",
    "recurring_lines",
]
