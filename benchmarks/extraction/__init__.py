"""Labelled news pages for the plain-text cleaner: built from public repositories, scored with
the token 4-shingle metric of the public article-extraction benchmarks.

``build`` writes one folder per page (``page.html``, ``gold.txt``, ``meta.json``, ``dumps/``);
``folder`` reads them back; ``metric`` scores an extraction against ``gold.txt``.
"""
