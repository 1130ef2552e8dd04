"""The Merkle tree follows RFC 6962 exactly, and the stand-alone script agrees with it."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from engine import merkle

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_audit_proof.py"


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """MTH as RFC 6962 2.1 defines it, recursively, split at the largest power of 2 < n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


def rfc6962_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) as RFC 6962 2.1.1 defines it."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*rfc6962_path(m, leaves[:k]), rfc6962_root(leaves[k:])]
    return [*rfc6962_path(m - k, leaves[k:]), rfc6962_root(leaves[:k])]


def load_script():
    spec = importlib.util.spec_from_file_location("verify_audit_proof", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LEAVES = [f"event {n}".encode() for n in range(70)]


@pytest.mark.parametrize("size", range(71))
def test_root_is_rfc6962s_merkle_tree_hash(size):
    assert merkle.root(LEAVES[:size]) == rfc6962_root(LEAVES[:size])


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 64, 70])
def test_every_leafs_path_is_rfc6962s_and_leads_to_the_root(size):
    leaves, script = LEAVES[:size], load_script()
    root = merkle.root(leaves)
    for index, leaf in enumerate(leaves):
        path = merkle.inclusion_path(leaves, index)
        assert path == rfc6962_path(index, leaves)
        assert merkle.root_from_path(leaf, index, size, path) == root
        assert script.root_from_path(leaf, index, size, path) == root


def test_a_path_for_another_leaf_or_size_does_not_lead_to_the_root():
    leaves = LEAVES[:13]
    root, path = merkle.root(leaves), merkle.inclusion_path(leaves, 6)
    assert merkle.root_from_path(leaves[7], 6, 13, path) != root
    with pytest.raises(ValueError, match="too short"):
        merkle.root_from_path(leaves[6], 6, 13, path[:-1])
    with pytest.raises(ValueError, match="too long"):
        merkle.root_from_path(leaves[6], 6, 13, [*path, path[0]])
    with pytest.raises(ValueError):
        merkle.root_from_path(leaves[6], 13, 13, path)
