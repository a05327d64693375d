"""Pages from the web for a batch run: URL lists, feeds and sitemaps, fetched politely and ahead.

:mod:`.listing` turns ``--urls``, ``--feed`` and ``--sitemap`` into the run's items (with
:mod:`.feeds` and :mod:`.sitemaps`), :mod:`.polite` fetches as a well-behaved crawler does,
and :mod:`.prefetch` fetches a run's pages ahead of the models.
"""
