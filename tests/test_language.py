"""The language identifier: py3langid's model, unpacked once into briefly's cache."""

import pytest

from briefly.article import language

ENGLISH = "The minister said talks on the new budget would continue next week in Geneva."
UKRAINIAN = "Міністр сказав, що переговори щодо нового бюджету продовжаться наступного тижня."


@pytest.fixture
def fresh_process(monkeypatch):
    """As a new process finds it: nothing loaded yet (restored afterwards)."""
    language._model.cache_clear()
    language.identifier.cache_clear()
    yield
    language._model.cache_clear()
    language.identifier.cache_clear()


def test_a_later_process_reads_the_unpacked_model_from_the_cache(
    briefly_cache, fresh_process, monkeypatch
):
    assert language.detect_language(ENGLISH) == "en"
    (unpacked,) = (briefly_cache / "langid").glob("model-*.npz")
    language._model.cache_clear()
    language.identifier.cache_clear()

    def unpack(_path):
        raise AssertionError("unpacked again")

    monkeypatch.setattr("py3langid.modelio.load_model", unpack)
    assert language.detect_language(ENGLISH) == "en"
    assert language.detect_language(UKRAINIAN) == "uk"
    assert unpacked.is_file()


def test_a_damaged_copy_is_unpacked_again(briefly_cache, fresh_process):
    language.detect_language(ENGLISH)
    (unpacked,) = (briefly_cache / "langid").glob("model-*.npz")
    unpacked.write_bytes(b"not a model")
    language._model.cache_clear()
    language.identifier.cache_clear()
    assert language.detect_language(UKRAINIAN) == "uk"
    assert unpacked.stat().st_size > 1_000_000
    assert not list(unpacked.parent.glob("*.partial"))
