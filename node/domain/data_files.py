"""Reading the rule tables kept as JSON data (packaged under ``node/domain/data/``)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path


def read_json_table(packaged_name: str, path: Path | None, what: str,
                    error: type[ValueError]) -> object:
    """The JSON document at ``path``, or the packaged ``data/<packaged_name>`` when None.

    Raises ``error`` naming ``what`` and the file when it is not valid JSON.
    """
    if path is None:
        text = resources.files("node.domain").joinpath("data", packaged_name).read_text("utf-8")
        name = packaged_name
    else:
        text = path.read_text(encoding="utf-8")
        name = str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{what}: {name} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
