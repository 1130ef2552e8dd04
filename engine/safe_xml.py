"""Parse untrusted XML: no DTDs, no entities, no network, bounded size.

A file is decoded as its byte-order mark or XML declaration says (UTF-8 when
neither does), before any check: a DOCTYPE must be refused in UTF-16 as well.
The text handed on declares UTF-8, so that it can be stored and parsed again.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from .errors import InvalidDefinition, UnsafeXml

MAX_XML_BYTES = 2 * 1024 * 1024
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
_DECLARATION_ENCODING = re.compile(r"""^(<\?xml[^>]*?\sencoding\s*=\s*["'])[^"']*""")
_BOMS = (  # UTF-32 first: its little-endian mark begins like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF16_WITHOUT_BOM = ((b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))


def decode_xml(content: bytes, file_name: str, *, max_bytes: int = MAX_XML_BYTES) -> str:
    """Return the text of XML `content`, decoded as its byte-order mark or declaration says.

    UTF-8 files come back exactly as they are; a file in another encoding comes back
    without its byte-order mark and with its declaration saying UTF-8.
    """
    if len(content) > max_bytes:
        raise UnsafeXml(
            f"file is {len(content)} bytes; the limit is {max_bytes} bytes", file_name=file_name
        )
    encoding = _encoding(content, file_name)
    # UTF-8 text keeps its byte-order mark, as it always has: its content hash stays.
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    try:
        text = content.decode("utf-8" if utf8 else encoding)
    except UnicodeDecodeError as err:
        line = content.count(b"\n", 0, err.start) + 1
        raise InvalidDefinition(
            f"not valid {encoding} text (byte {err.start}); save the file in the encoding "
            "its XML declaration names, or as UTF-8",
            file_name=file_name,
            line=line,
        ) from None
    if utf8:
        return text
    return _DECLARATION_ENCODING.sub(r"\1UTF-8", text.removeprefix("\ufeff"), count=1)


def _encoding(content: bytes, file_name: str) -> str:
    """The codec of `content` (XML 1.0, appendix F): a byte-order mark, else the declaration."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec
    for start, codec in _UTF16_WITHOUT_BOM:
        if content.startswith(start):
            return codec
    declared = _DECLARED.match(content)
    if declared is None:
        return "utf-8"
    name = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise InvalidDefinition(
            f"unknown encoding '{name}' in the XML declaration", file_name=file_name, line=1
        ) from None
    if "<?xml".encode(codec.name, errors="replace") != b"<?xml":
        raise InvalidDefinition(
            f"the XML declaration names the encoding '{name}', but the file is not written "
            "in it (a byte-order mark is missing?)",
            file_name=file_name,
            line=1,
        )
    return codec.name


def parse_xml(
    content: bytes | str, file_name: str, *, max_bytes: int = MAX_XML_BYTES
) -> etree._Element:
    """Return the root element of `content`, refusing anything unsafe or malformed.

    `content` is the file's bytes, or text from `decode_xml`.
    """
    text = (
        decode_xml(content, file_name, max_bytes=max_bytes)
        if isinstance(content, bytes)
        else content
    )
    # BPMN and DMN never need a DTD; one is only ever there to smuggle entities.
    doctype = _DOCTYPE.search(text)
    if doctype:
        line = text.count("\n", 0, doctype.start()) + 1
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
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as err:
        raise InvalidDefinition(
            f"malformed XML: {err.msg}", file_name=file_name, line=err.lineno
        ) from None
    return root
