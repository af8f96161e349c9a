#!/usr/bin/env python3
"""Validates every custody_* facet in the examples (docs/ingest.md's ```json blocks and
examples/*.jsonl) against the JSON Schemas in docs/schemas/, and checks that the schemas reject
known-bad facets, so the check itself can fail. Run by scripts/test."""
import json
import pathlib
import re
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parent.parent
schemas = {
    "custody_personalData": json.loads((root / "docs/schemas/PersonalDataDatasetFacet.json").read_text()),
    "custody_processing": json.loads((root / "docs/schemas/ProcessingRunFacet.json").read_text()),
}
validators = {name: jsonschema.Draft202012Validator(schema) for name, schema in schemas.items()}
for schema in schemas.values():
    jsonschema.Draft202012Validator.check_schema(schema)


def events_in(text):
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def facets(value):
    if isinstance(value, dict):
        for key, child in value.items():
            if key in validators and isinstance(child, dict):
                yield key, child
            else:
                yield from facets(child)
    elif isinstance(value, list):
        for child in value:
            yield from facets(child)


sources = []
for block in re.findall(r"```json\n(.*?)```", (root / "docs/ingest.md").read_text(), re.S):
    sources.append(("docs/ingest.md", block))
for path in sorted((root / "examples").glob("*.jsonl")):
    sources.append((str(path.relative_to(root)), path.read_text()))

checked = 0
failures = []
for origin, text in sources:
    for event in events_in(text):
        for name, facet in facets(event):
            for error in validators[name].iter_errors(facet):
                failures.append(f"{origin}: {name}: {error.message}")
            checked += 1

bad = [
    ("custody_processing", {"_producer": "p", "_schemaURL": "s", "operation": "teleport"}),
    ("custody_processing", {"_producer": "p", "_schemaURL": "s", "legalbasis": "consent"}),
    ("custody_processing", {"_producer": "p", "_schemaURL": "s", "transferMechanism": "derogation:because"}),
    ("custody_personalData", {"_producer": "p", "_schemaURL": "s", "location": "moon"}),
    ("custody_personalData", {"_producer": "p", "_schemaURL": "s", "retention": "two years"}),
    ("custody_personalData", {"_producer": "p", "_schemaURL": "s", "categories": ["User Email"]}),
]
for name, facet in bad:
    if validators[name].is_valid(facet):
        failures.append(f"the {name} schema accepts a bad facet: {facet}")

if checked < 20:
    failures.append(f"only {checked} facets were found in the examples; expected at least 20")
for failure in failures:
    print("check-facet-schemas:", failure, file=sys.stderr)
if failures:
    sys.exit(1)
print(f"check-facet-schemas: {checked} example facets valid; {len(bad)} bad facets rejected")
