"""Parse untrusted XML: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

import re

from lxml import etree

from .errors import InvalidDefinition, UnsafeXml

MAX_XML_BYTES = 2 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def parse_xml(content: bytes, file_name: str, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Return the root element of `content`, refusing anything unsafe or malformed."""
    if len(content) > max_bytes:
        raise UnsafeXml(
            f"file is {len(content)} bytes; the limit is {max_bytes} bytes", file_name=file_name
        )
    # BPMN and DMN never need a DTD; one is only ever there to smuggle entities.
    doctype = _DOCTYPE.search(content)
    if doctype:
        line = content.count(b"\n", 0, doctype.start()) + 1
        raise UnsafeXml("DOCTYPE declarations are not allowed", file_name=file_name, line=line)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as err:
        raise InvalidDefinition(
            f"malformed XML: {err.msg}", file_name=file_name, line=err.lineno
        ) from None
    return root
