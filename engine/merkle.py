"""Merkle trees over the audit trail, as in RFC 6962 (Certificate Transparency), 2.1.

    leaf hash  = SHA-256(0x00 || leaf)
    node hash  = SHA-256(0x01 || left || right)

A tree of n leaves splits at k, the largest power of two smaller than n. Computed
level by level, that is the same as pairing neighbours and carrying an odd last
node up unchanged, which needs no recursion over a million leaves.
scripts/verify_audit_proof.py checks proofs with its own copy of these few lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _next_level(level: Sequence[bytes]) -> list[bytes]:
    sha256 = hashlib.sha256
    paired = [
        sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
    ]
    if len(level) % 2:
        paired.append(level[-1])
    return paired


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of `leaves` (MTH in RFC 6962)."""
    if not leaves:
        return EMPTY_ROOT
    level = [leaf_hash(leaf) for leaf in leaves]
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` (PATH(m, D[n]) in RFC 6962), bottom up."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    level = [leaf_hash(leaf) for leaf in leaves]
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        level, index = _next_level(level), index // 2
    return path


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root that leaf `index` and its audit path lead to (RFC 9162, 2.1.3.2)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size}")
    node, last = leaf_hash(leaf), size - 1
    remaining = list(path)
    while last > 0:
        if index % 2 or index == last:
            if index % 2:
                if not remaining:
                    raise ValueError("the audit path is too short")
                node = node_hash(remaining.pop(0), node)
        else:
            if not remaining:
                raise ValueError("the audit path is too short")
            node = node_hash(node, remaining.pop(0))
        index, last = index // 2, last // 2
    if remaining:
        raise ValueError("the audit path is too long")
    return node
