"""The ``briefly`` command line."""
