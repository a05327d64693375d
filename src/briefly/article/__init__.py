"""The article stage: reading, decoding and fetching input, finding the story in it.

Also the article's language, which the later stages consult.
"""
