"""GeoReport v2 XML: the JSON structures, as elements (lists become a container element whose
items take the singular name: attributes → attribute, values → value …)."""

import re
from typing import Any
from xml.etree import ElementTree as ET

# Characters XML 1.0 cannot carry at all (even escaped); dropped from text.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A GeoReport document as `views` builds it: a list of objects, or one object.
Document = list[Any] | dict[str, Any]

ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: object) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    else:
        element.text = _text(value)


def render(root: str, data: Document) -> bytes:
    """`data` (a list or a dict) under `root`, UTF-8 with the XML declaration."""
    if isinstance(data, list):
        element = ET.Element(root)
        for item in data:
            _append(element, ITEM_NAMES[root], item)
    else:
        element = ET.Element(root)
        for key, value in data.items():
            _append(element, key, value)
    # The spec asks for this exact declaration before the root element.
    body: bytes = ET.tostring(element, encoding="utf-8")  # typeshed: Any for a named encoding
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
