"""The brief's stages: options checked against the machine, summarising (abstractive or
extractive), translating, and the checks on model output."""
