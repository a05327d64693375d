"""A stand-in for batch mode's article loader that never finishes one article.

It lives in a module of its own because ``--article-timeout`` runs the loader in a spawned
process, which imports it by name.
"""

import time

from briefly.batch.sources import load_item as real_load_item

STUCK = "stuck"  # articles whose source holds this never finish loading


def load_item(item, **kwargs):
    if STUCK in item.source:
        time.sleep(3600)  # the worker is killed long before
    return real_load_item(item, **kwargs)
