"""Untrusted XML is parsed safely, and bad files are named precisely."""

from __future__ import annotations

import pytest

from engine.errors import InvalidDefinition, UnsafeXml
from engine.safe_xml import parse_xml
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
