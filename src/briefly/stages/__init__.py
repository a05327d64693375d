"""The brief's stages: summarising (abstractive or extractive), translating, checking output."""
