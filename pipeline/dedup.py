"""Near-duplicate detection: MinHash over word shingles, with LSH bands for lookup.

A syndicated wire copy carries the same body under another URL, often with a different headline line,
dateline or credit. Its MinHash signature agrees with the original's in about the share of shingles the
two texts have in common (their Jaccard similarity); LSH banding finds the candidates without comparing
every pair, and the signature agreement decides.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4 rows a band: pairs above ~0.5 similarity almost always share a band
SHINGLE = 5
_PRIME = (1 << 31) - 1
_WORD = re.compile(r"\w+", re.UNICODE)
_rng = np.random.default_rng(20211011)  # fixed: signatures must be comparable across runs and versions
_A = _rng.integers(1, _PRIME, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, NUM_PERM, dtype=np.uint64)


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def sketch(text: str) -> tuple[int, ...]:
    """The MinHash signature of a text: NUM_PERM values below 2**31. Empty text, empty signature."""
    grams = shingles(text)
    if not grams:
        return ()
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams))
    permuted = (np.outer(_A, hashes) + _B[:, None]) % _PRIME  # a*h < 2**63: no overflow in uint64
    return tuple(int(v) for v in permuted.min(axis=1))


def band_keys(signature: tuple[int, ...]) -> list[int]:
    """One signed 64-bit key per band; two texts that share a key are duplicate candidates."""
    if len(signature) != NUM_PERM:
        return []
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr((band, chunk)).encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    if len(a) != NUM_PERM or len(b) != NUM_PERM:
        return 0.0
    return sum(x == y for x, y in zip(a, b)) / NUM_PERM
