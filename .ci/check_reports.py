"""Validates vibeguard's reports with independent implementations.

SARIF against the official OASIS schema and the JSON report against docs/report.schema.json,
both with the reference `jsonschema` package; the JUnit file with `junitparser`.
"""

import json
import sys
from pathlib import Path

import jsonschema
from junitparser import JUnitXml

ROOT = Path(__file__).resolve().parent.parent


def validate(instance_path: Path, schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text())
    instance = json.loads(instance_path.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        for error in errors[:20]:
            print(f"{instance_path.name}: {error.message} at {list(error.path)}", file=sys.stderr)
        sys.exit(f"{instance_path.name} does not validate against {schema_path.name}")
    print(f"{instance_path.name}: valid against {schema_path.name}")


def check_junit(path: Path) -> None:
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    names = [suite.name for suite in suites]
    if "vibeguard.hygiene" not in names:
        sys.exit(f"{path.name}: no vibeguard.hygiene suite in {names}")
    cases = sum(len(list(suite)) for suite in suites)
    failures = sum(suite.failures for suite in suites)
    if cases < 33 or failures < 1:
        sys.exit(f"{path.name}: expected every checklist item as a test case and failures, got {cases} cases, {failures} failures")
    print(f"{path.name}: {len(suites)} suites, {cases} test cases, {failures} failures")


def main() -> None:
    out = Path(sys.argv[1])
    validate(out / "demo.sarif", ROOT / "crates/vibeguard-report/tests/schemas/sarif-schema-2.1.0.json")
    validate(out / "demo.json", ROOT / "docs/report.schema.json")
    check_junit(out / "demo.xml")


if __name__ == "__main__":
    main()
