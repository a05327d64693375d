"""briefly's version, in a module of its own: the fetcher names it, below every other part."""

__version__ = "0.1.0"
