"""A Babel extractor for the names people see that live in BPMN and DMN files.

Registered in web/babel.cfg (`[web.babel_extract:extract_bpmn: ...]`); `pybabel extract`
then finds every process, task, event, gateway, lane and flow name of bpmn/*.bpmn, and a
DMN table's decision name, input and output labels, output names and string outcomes
('_' read as ' ', as web/vocabulary.py looks them up) and rule descriptions. The pages
translate them at display time (web/names.py, web/vocabulary.py, the diagrams).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

Extracted = tuple[int, str | None, str, list[str]]


def extract_bpmn(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Yield (line, funcname, message, comments) for every name in a BPMN or DMN file."""
    for line, text, comment in names_in(fileobj.read()):
        yield line, None, text, [comment]


def names_in(content: bytes) -> Iterator[tuple[int, str, str]]:
    """(line, text, what it is) of every human-readable name in a BPMN or DMN document."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:  # not ours to judge here: deploy refuses it with a reason
        return
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname
        line = element.sourceline or 0
        if tag in ("definitions", "decisionTable", "inputExpression", "text"):
            continue
        if tag == "description":  # a rule's is shown on the trail; a decision's is a note
            parent = element.getparent()
            is_rule = parent is not None and etree.QName(parent).localname == "rule"
            if is_rule and element.text and element.text.strip():
                yield line, element.text.strip(), "DMN rule description"
            continue
        if tag == "input" and element.get("label"):
            yield line, element.get("label"), "DMN input label"
        if tag == "output":
            if element.get("label"):
                yield line, element.get("label"), "DMN output label"
            if element.get("name"):
                yield line, element.get("name").replace("_", " "), "DMN output name"
            continue
        if tag == "outputEntry":
            outcome = _literal(element.findtext("{*}text"))
            if outcome and not any(ch.isdigit() for ch in outcome):  # PT8H is a code
                yield line, outcome.replace("_", " "), "DMN outcome"
            continue
        if element.get("name"):
            yield line, element.get("name"), f"BPMN/DMN {tag} name"


def _literal(text: str | None) -> str | None:
    try:
        value = ast.literal_eval((text or "").strip())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None
