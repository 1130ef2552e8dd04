#!/usr/bin/env python3
"""Check a raciflow audit inclusion proof without the database or raciflow itself.

    raciflow audit prove 1234 > proof.json          # on the raciflow side
    python3 verify_audit_proof.py proof.json --root <published root> --tree-size <its size>

Prints "OK: ..." and exits 0 when the event in the proof, hashed as raciflow hashes
events, is leaf `leaf_index` of a Merkle tree of `tree_size` leaves whose root is
the given root; otherwise prints why not and exits 1. A root is published with its
tree size: give both. Without them the proof's own are used: then compare them
yourself with what was published.

Standard library only; Python 3.8 or newer. The rules (docs/audit.md):
  event hash = SHA-256 of the event's fields as JSON, keys sorted, separators "," and
               ":", non-ASCII characters unescaped, UTF-8
  leaf hash  = SHA-256(0x00 || event hash)
  node hash  = SHA-256(0x01 || left || right)       (RFC 6962 / RFC 9162, 2.1)
"""

import argparse
import hashlib
import json
import sys

FORMAT = "raciflow-audit-proof/1"
EVENT_FIELDS = {
    "stream", "seq", "occurred_at", "actor", "action", "instance_id", "process_id",
    "task_id", "raci_role", "on_behalf_of", "reason", "details", "prev_hash",
}  # fmt: skip


class BadProof(Exception):
    pass


def event_hash(event):
    payload = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).digest()


def root_from_path(leaf, index, size, path):
    """RFC 9162, 2.1.3.2: the root that a leaf and its audit path lead to."""
    if not 0 <= index < size:
        raise BadProof(f"leaf index {index} is outside a tree of {size} leaves")
    node = hashlib.sha256(b"\x00" + leaf).digest()
    last, remaining = size - 1, list(path)
    while last > 0:
        if index % 2 == 1:
            if not remaining:
                raise BadProof("the audit path is too short for this tree")
            node = hashlib.sha256(b"\x01" + remaining.pop(0) + node).digest()
        elif index < last:
            if not remaining:
                raise BadProof("the audit path is too short for this tree")
            node = hashlib.sha256(b"\x01" + node + remaining.pop(0)).digest()
        index, last = index // 2, last // 2
    if remaining:
        raise BadProof("the audit path is too long for this tree")
    return node


def hex_bytes(value, what):
    if not isinstance(value, str) or len(value) != 64:
        raise BadProof(f"{what} is not a SHA-256 hash in hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise BadProof(f"{what} is not a SHA-256 hash in hex") from None


def whole_number(value, what):
    if type(value) is not int or value < 0:
        raise BadProof(f"{what} is not a whole number")
    return value


def check(proof, published_root=None, published_size=None):
    """Return a one-line description of what was proven, or raise BadProof."""
    if not isinstance(proof, dict) or proof.get("format") != FORMAT:
        raise BadProof(f"not a proof in the {FORMAT} format")
    leaf = proof.get("leaf")
    event = leaf.get("event") if isinstance(leaf, dict) else None
    if not isinstance(event, dict) or set(event) != EVENT_FIELDS:
        raise BadProof("the leaf's event does not have exactly the hashed fields")
    computed = event_hash(event)
    if computed != hex_bytes(leaf.get("event_hash"), "the event hash"):
        raise BadProof("the event's fields do not match its hash: the event was altered")
    index = whole_number(proof.get("leaf_index"), "leaf_index")
    size = whole_number(proof.get("tree_size"), "tree_size")
    path = proof.get("audit_path")
    if not isinstance(path, list):
        raise BadProof("audit_path is not a list")
    nodes = [hex_bytes(node, f"audit path node {n}") for n, node in enumerate(path)]
    root = hex_bytes(proof.get("root"), "the root")
    if published_root is not None and root != hex_bytes(published_root, "--root"):
        raise BadProof("the proof's root is not the published root")
    if published_size is not None and size != published_size:
        raise BadProof("the proof's tree size is not the published tree size")
    if root_from_path(computed, index, size, nodes) != root:
        raise BadProof("the event and audit path do not lead to the root: not in this tree")
    return (
        f"event {event['stream']} #{event['seq']} ({event['action']} by {event['actor']} at "
        f"{event['occurred_at']}) is leaf {index} of {size} under root {root.hex()}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check a raciflow audit inclusion proof.")
    parser.add_argument("proof", help="the proof's JSON file, or - for standard input")
    parser.add_argument("--root", help="the published root (hex) the proof must lead to")
    parser.add_argument("--tree-size", type=int, help="the tree size published with the root")
    args = parser.parse_args(argv)
    try:
        if args.proof == "-":
            text = sys.stdin.read()
        else:
            with open(args.proof, encoding="utf-8") as file:
                text = file.read()
        proof = json.loads(text)
        what = check(proof, args.root, args.tree_size)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        print(f"FAILED: cannot read the proof: {err}")
        return 1
    except BadProof as err:
        print(f"FAILED: {err}")
        return 1
    print(f"OK: {what}")
    if args.root is None or args.tree_size is None:
        print("Compare the root and tree size with those published for this checkpoint.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
