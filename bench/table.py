"""A readable table of a `make bench` result: one row per figure, its same-run baseline and
the ratio beside it, as Markdown (printed, and kept as bench/results/README-table.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

# (section, figure, baseline, ratio key or None): what each row puts side by side.
ROWS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("ingest.sqlite", "records_per_s", "raw_insert_per_s", "ratio"),
    ("ingest.postgres", "records_per_s", "raw_insert_per_s", "ratio"),
    ("ingest", "with_peers_records_per_s", None, None),
    ("anchoring", "records_per_tx", "records_per_tx_old_policy", None),
    ("anchoring", "trickle_anchored_s", "trickle_anchored_s_old_policy", None),
    ("anchoring", "gas_per_record", "naive_gas_per_record", "ratio"),
    ("query", "qps", "echo_qps", "ratio"),
    ("query", "p50_ms", "echo_p50_ms", None),
    ("query", "p99_ms", None, None),
    ("query", "errors", "calls", None),
    ("private_match", "responder_evaluations_per_s", "openmined_evals_per_s", "ratio"),
    ("private_match", "requester_end_to_end_s", "openmined_client_end_to_end_s", None),
    ("audit", "append_per_s", None, None),
    ("audit", "proof_ms", None, None),
    ("audit", "proof_ms_tree", "proof_ms_tree_before", None),
    ("audit", "tree_entries", None, None),
    ("audit", "verify_s_per_million", None, None),
    ("propagation", "p50_s", None, None),
    ("propagation", "p95_s", None, None),
    ("idle", "cpu_s_per_min", None, None),
    ("idle", "rss_mib", None, None),
    ("cli", "query_help_s", "python_startup_s", None),
    ("cli", "help_s", "python_startup_s", None),
)


def _section(result: dict[str, Any], path: str) -> Any:
    found: Any = result
    for part in path.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render(result: dict[str, Any]) -> str:
    """The Markdown table of ``result`` (a latest.json object), with its machine above."""
    m = result.get("machine", {})
    lines = [f"`make bench{' QUICK=1' if result.get('quick') else ''}` on {m.get('cores')} "
             f"cores, {m.get('cpu_model')}, {m.get('memory_gib')} GiB "
             f"({result.get('started', '')}, {result.get('wall_s', '?')} s)", "",
             "| section | figure | value | same-run baseline | baseline value | ratio |",
             "|---|---|---|---|---|---|"]
    for path, figure, baseline, ratio in ROWS:
        section = _section(result, path)
        if section is None and path != "ingest.postgres":
            lines.append(f"| {path} | {figure} | not measured | | | |")
            continue
        if not isinstance(section, dict):
            lines.append(f"| {path} | {figure} | no server | | | |")
            continue
        lines.append(f"| {path} | {figure} | {_fmt(section.get(figure))} | {baseline or ''} | "
                     f"{_fmt(section.get(baseline)) if baseline else ''} | "
                     f"{_fmt(section.get(ratio)) if ratio else ''} |")
    errors = {k: v["error"] for k, v in result.items() if isinstance(v, dict) and "error" in v}
    for name, error in errors.items():
        lines.append(f"\n{name}: failed — {error}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json") as f:
        print(render(json.load(f)), end="")
