"""Untrusted XML is parsed safely, and bad files are named precisely."""

from __future__ import annotations

import pytest

from engine.errors import InvalidDefinition, UnsafeXml
from engine.safe_xml import decode_xml, parse_xml
from tests.conftest import BAD


def test_external_entities_are_refused():
    with pytest.raises(UnsafeXml, match="DOCTYPE"):
        parse_xml((BAD / "xxe.bpmn").read_bytes(), "xxe.bpmn")


def test_billion_laughs_is_refused():
    with pytest.raises(UnsafeXml, match="DOCTYPE"):
        parse_xml((BAD / "billion_laughs.bpmn").read_bytes(), "billion_laughs.bpmn")


def test_malformed_xml_names_file_and_line():
    with pytest.raises(InvalidDefinition) as caught:
        parse_xml(b"<a>\n<b>\n</a>", "broken.bpmn")
    assert caught.value.file_name == "broken.bpmn"
    assert caught.value.line == 3
    assert "broken.bpmn, line 3" in str(caught.value)


def test_oversized_files_are_refused():
    with pytest.raises(UnsafeXml, match="limit"):
        parse_xml(b"<a>" + b" " * 100 + b"</a>", "big.bpmn", max_bytes=50)


def test_a_file_in_another_encoding_is_decoded_as_declared_and_handed_on_as_utf8():
    greek = '<?xml version="1.0" encoding="ISO-8859-7"?>\n<a name="Έγκριση"/>'
    for encoding in ("ISO-8859-7", "UTF-16", "UTF-16-BE"):
        content = greek.replace("ISO-8859-7", encoding).encode(encoding)
        text = decode_xml(content, "a.bpmn")
        assert text == '<?xml version="1.0" encoding="UTF-8"?>\n<a name="Έγκριση"/>'
        assert parse_xml(text.encode("utf-8"), "a.bpmn").get("name") == "Έγκριση"


def test_a_doctype_is_refused_whatever_the_encoding():
    laughs = (BAD / "billion_laughs.bpmn").read_text()
    with pytest.raises(UnsafeXml, match="DOCTYPE"):
        parse_xml(laughs.encode("utf-16"), "billion_laughs.bpmn")
