"""Pure text logic: paragraphs, sentences, splitting, packing and batching."""

from briefly.models.token_batches import token_budget_batches
from briefly.stages.text import pack, paragraphs, sentences, split_to_fit


def word_count(texts):
    return [len(t.split()) for t in texts]


def test_paragraphs_fold_lines_and_drop_blanks():
    text = "First line\ncontinues here.\n\n\n  \nSecond   paragraph.\n"
    assert paragraphs(text) == ["First line continues here.", "Second paragraph."]


def test_sentences_keep_abbreviations_and_numbers():
    text = "Mr. Smith paid $3.5 million in Washington D.C. on Monday. Then he left. Why?"
    assert sentences(text) == [
        "Mr. Smith paid $3.5 million in Washington D.C. on Monday.",
        "Then he left.",
        "Why?",
    ]


def test_split_to_fit_keeps_every_word_within_budget():
    sentence = " ".join(f"item{i}" for i in range(103))
    pieces = split_to_fit(sentence, word_count, 10)
    assert all(n <= 10 for n in word_count(pieces))
    assert " ".join(pieces) == sentence


def test_split_to_fit_splits_a_single_long_word():
    word = "x" * 50

    def chars(texts):
        return [len(t) for t in texts]

    pieces = split_to_fit(word, chars, 8)
    assert "".join(pieces) == word
    assert all(len(p) <= 8 for p in pieces)


def test_pack_groups_consecutive_items_within_budget():
    assert pack([3, 4, 5, 1, 9, 2], 8) == [[0, 1], [2, 3], [4], [5]]


def test_token_budget_batches_cover_all_indices_sorted_and_bounded():
    lengths = [5, 50, 7, 48, 3, 20, 21, 6]
    batches = token_budget_batches(lengths, max_tokens=60)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    for batch in batches:
        assert len(batch) == 1 or lengths[batch[0]] * len(batch) <= 60


def test_token_budget_batches_never_mix_keys():
    lengths = [5, 5, 5, 5]
    keys = [16, 32, 16, 32]
    batches = token_budget_batches(lengths, max_tokens=100, keys=keys)
    assert sorted(sorted(b) for b in batches) == [[0, 2], [1, 3]]
    assert all(len({keys[i] for i in b}) == 1 for b in batches)
