"""Convert the requirement YAML files of the conformance wheel into one JSON catalogue.

Run as ``python _yaml_to_json.py WHEEL OUTPUT`` by an interpreter that has PyYAML
(``_catalogue.fetch_catalogue`` arranges that). Every YAML file under
``test_requirements/<area>/`` becomes one entry: its own keys plus ``id`` (the file
name) and ``area`` (the folder).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import PurePosixPath
from typing import Any

import yaml  # type: ignore[import-untyped]


def convert(wheel: str, output: str) -> int:
    """Write the catalogue of ``wheel`` to ``output``; return the number of requirements."""
    entries: list[dict[str, Any]] = []
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            path = PurePosixPath(name)
            if path.suffix != ".yaml" or "test_requirements" not in path.parts:
                continue
            document = yaml.safe_load(archive.read(name))
            if not isinstance(document, dict):
                raise ValueError(f"{name} is not a YAML mapping")
            entries.append({**document, "id": path.stem, "area": path.parent.name})
    catalogue = {"source": PurePosixPath(wheel).name, "requirements": entries}
    with open(output, "w", encoding="utf-8") as file:
        json.dump(catalogue, file, indent=1, default=str)
    return len(entries)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: _yaml_to_json.py WHEEL OUTPUT")
    count = convert(sys.argv[1], sys.argv[2])
    print(f"{count} requirements written to {sys.argv[2]}")
