"""The prompt templates, installed as the package ``briefly.prompt_templates``.

The .txt files here are package data (see README.md); this file makes the folder a
regular package, which editable installs need to map it into ``briefly``.
"""
