"""Token-budget batching: group texts of similar length so padding is small."""

from __future__ import annotations

from collections.abc import Sequence


def token_budget_batches(
    lengths: Sequence[int],
    max_tokens: int,
    max_batch_size: int = 64,
    keys: Sequence[int] | None = None,
    *,
    equal_lengths: bool = False,
) -> list[list[int]]:
    """Split indices into batches whose padded size stays within ``max_tokens``.

    Indices are sorted longest first, so an out-of-memory error shows up on the
    first batch, and each batch pads to its first item's length. A single item
    longer than the budget still gets a batch of its own. Items with different
    ``keys`` (e.g. different decoding limits) never share a batch; larger keys go first.
    With ``equal_lengths`` only items of the same length share a batch, so none is padded.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-keys[i] if keys else 0, -lengths[i]))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        padded = lengths[current[0]] * (len(current) + 1) if current else lengths[index]
        new_key = keys is not None and current and keys[current[0]] != keys[index]
        new_length = equal_lengths and current and lengths[current[0]] != lengths[index]
        full = padded > max_tokens or len(current) >= max_batch_size
        if current and (full or new_key or new_length):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
