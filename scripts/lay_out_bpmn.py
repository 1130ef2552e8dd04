"""Write a diagram (DI) into each BPMN file named that has none, once, in place:

    python scripts/lay_out_bpmn.py bpmn/*.bpmn

The layout is web/bpmn_layout.py's; the rest of the file is left byte for byte as it
was (the diagram goes in just before the closing tag of the definitions). Look at the
result in the modeler or on an instance page, and move what reads badly there: from
then on the file's diagram is the owner's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

from engine.safe_xml import parse_xml
from web.bpmn_layout import diagrams, has_di
from web.diagram import DiagramLimits


def lay_out(text: str) -> str:
    """`text` with its diagrams inserted before `</...definitions>` (unchanged if it has DI)."""
    if has_di(text):
        return text
    root = parse_xml(text.encode(), "file.bpmn")
    parts = []
    for diagram in diagrams(root, DiagramLimits()):
        etree.indent(diagram, space="  ", level=1)
        parts.append("  " + etree.tostring(diagram, encoding="unicode").rstrip() + "\n")
    closing = text.rindex("</")
    return text[:closing] + "".join(parts) + text[closing:]


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        before = path.read_text(encoding="utf-8")
        after = lay_out(before)
        if after != before:
            path.write_text(after, encoding="utf-8")
            print(f"laid out {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
