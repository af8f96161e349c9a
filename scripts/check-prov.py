#!/usr/bin/env python3
"""Checks a PROV-XML export the way an outside consumer would: valid against the W3C PROV-XML schema
(reports/w3c-prov/prov.xsd, with lxml), read by the Python `prov` package (an independent implementation),
and free of dangling references (neither of the first two catches those)."""
import pathlib
import sys

from lxml import etree
import prov.model

PROV = "{http://www.w3.org/ns/prov#}"
schema_path = pathlib.Path(__file__).resolve().parent.parent / "reports" / "w3c-prov" / "prov.xsd"
schema = etree.XMLSchema(etree.parse(str(schema_path)))

failed = False
for path in sys.argv[1:]:
    tree = etree.parse(path)
    if not schema.validate(tree):
        print(f"{path}: not valid against prov.xsd:\n{schema.error_log}")
        failed = True
        continue
    document = prov.model.ProvDocument.deserialize(path, format="xml")
    ids = {element.get(PROV + "id") for element in tree.iter() if element.get(PROV + "id")}
    refs = {element.get(PROV + "ref") for element in tree.iter() if element.get(PROV + "ref")}
    dangling = sorted(refs - ids)
    if dangling:
        print(f"{path}: references without a declaration: {dangling[:5]}")
        failed = True
        continue
    records = document.get_records()
    if not records:
        print(f"{path}: the prov package read no records")
        failed = True
        continue
    print(f"{path}: valid PROV-XML, {len(records)} records read by prov {prov.__version__}, no dangling references")
sys.exit(1 if failed else 0)
