"""Edit ontology/actors.json or places.json keeping one entity per line.

    python scripts/edit_dictionary.py actors syrian_gov demonyms+=Syrian
    python scripts/edit_dictionary.py actors syrian_rebels metonyms+=rebel

'key+=value' appends to a list, 'key=value' sets a string.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dump(data: dict) -> str:
    head = {k: v for k, v in data.items() if k != "entities"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "entities": [')
    body = [f"    {json.dumps(e, ensure_ascii=False)}" for e in data["entities"]]
    lines.append(",\n".join(body))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    name, entity_id, *edits = argv
    path = ROOT / "ontology" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    entity = next((e for e in data["entities"] if e["id"] == entity_id), None)
    if entity is None:
        print(f"{path}: no entity {entity_id!r}", file=sys.stderr)
        return 1
    for edit in edits:
        if "+=" in edit:
            key, value = edit.split("+=", 1)
            items = entity.setdefault(key, [])
            if value not in items:
                items.append(value)
        else:
            key, value = edit.split("=", 1)
            entity[key] = value
    path.write_text(dump(data), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
