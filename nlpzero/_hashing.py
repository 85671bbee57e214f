"""Inline hash-table probes shared by the kernels (open addressing, linear probing).

Tables have a power-of-two number of slots. A key's home slot is Fibonacci hashing
(Knuth, TAOCP 6.4): the top bits of key × 2^64/φ, so consecutive ids spread over the table.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: 2^64 / φ, the Fibonacci-hashing multiplier.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def splitmix64(x):
    """The splitmix64 finaliser (Steele et al. 2014): a bijection of 64-bit words whose
    output bits each depend on every input bit."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@njit(cache=True, inline="always")
def fibonacci_slot(key, shift, mask):
    """Home slot of a 64-bit *key*: (key × GOLDEN) >> *shift*, masked to the table size."""
    return np.int64((np.uint64(key) * GOLDEN) >> np.uint64(shift)) & mask


@njit(cache=True, inline="always")
def extend_key(key, length, cid):
    """Key of a character sequence after appending id *cid* to a sequence of *length* ids.

    Up to four ids are packed exactly (16 bits each, first id highest, as n-gram keys are);
    a longer sequence continues as a 64-bit hash of that prefix key and *cid*, never 0, so
    0 can mark an empty slot. The prefix key goes through the splitmix64 finaliser (a
    bijection) before *cid* is added, so two sequences collide only by chance (about
    2^-63 a pair): xor-ing *cid* into the raw packed key would collide whenever the last
    two ids xor to the same value.
    """
    if length < 4:
        return key | (np.uint64(cid) << np.uint64(48 - 16 * length))
    x = splitmix64(key)
    x += (np.uint64(cid) + np.uint64(1)) * GOLDEN + np.uint64(length)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return x | np.uint64(1)


@njit(cache=True, inline="always")
def seq_key(ids, start, end):
    """Key of the id sequence ids[start:end] (:func:`extend_key` from the empty key 0): the
    key the lexicon stores a word under."""
    key = np.uint64(0)
    for j in range(start, end):
        key = extend_key(key, j - start, ids[j])
    return key
