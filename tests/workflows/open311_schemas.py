"""The public GeoReport v2 JSON schemas (tests/workflows/data/open311), ready to validate."""

import json
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).parent / "data" / "open311"


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(data, schema_file: str) -> None:
    """Raise jsonschema.ValidationError unless `data` conforms to `schema_file`."""
    schema = json.loads((SCHEMA_DIR / schema_file).read_text(encoding="utf-8"))
    Draft7Validator(
        schema, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER
    ).validate(data)
