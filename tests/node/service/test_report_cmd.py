"""``credit-node report`` on a running node: report.json verifies with ``verify-answer``,
report.html is escaped, and headless Chromium renders its records and badges.

The Chromium check needs ``/usr/bin/chromium`` (``make chromium``); without it that test is
skipped, saying so.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from consent_helpers import EVIDENCE
from service_helpers import NodeDir, synth_lines, wait_for

from node.cli.main import main
from node.cli.report_html import render_report
from node.domain.records import parse_record, subject_identifier
from node.runtime.node import RunningNode
from node.service.status import read_backlog

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_record_text_is_escaped_never_injected() -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    page = render_report({
        "subject": "913209813232066872", "node": "JS", "purpose": "credit_report",
        "records": [{"province": "JS", "record_no": "JS-<b>1</b>", "kind": "penalty",
                     "payload": {"CF_XDR_MC": evil, "CF_CFLB": [evil]},
                     "withheld_fields": ["CF_XDR_ZJHM"]}],
        "verification": {"ok": True, "records": [{"province": "JS", "record_no": "JS-<b>1</b>",
                                                  "problems": [], "fields_bound": True}]}})
    assert "<script" not in page and "<img" not in page and "<b>1" not in page
    assert "&lt;script&gt;" in page and "行政相对人名称" in page
    assert "91**************72" in page and "913209813232066872" not in page


def write_report(node_dir: NodeDir, running: RunningNode, tmp_path: Path,
                 capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, Any]]:
    lines = synth_lines(40, seed=21)
    data = tmp_path / "records.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n")
    layout = node_dir.layout
    tls = ["--endpoint", f"localhost:{running.port}", "--ca", str(layout.ca_cert)]
    assert main(["submit", *tls, "--cert", str(layout.identity_cert("platform")),
                 "--key", str(layout.identity_key("platform")), str(data)]) == 0
    wait_for(lambda: read_backlog(running.app.store).backlog == 0, timeout=60)
    subject = subject_identifier(parse_record(json.loads(lines[0])))
    (tmp_path / "consent.pdf").write_bytes(EVIDENCE)
    grant = tmp_path / "grant.json"
    assert main(["grant", "--subject", subject, "--agency", "example-agency", "--purpose",
                 "credit_report", "--scope", "penalty,dishonesty,commitment", "--days", "1",
                 "--key", str(layout.identity_key("agency")), "--evidence",
                 str(tmp_path / "consent.pdf"), "--out", str(grant)]) == 0
    contracts = ",".join(f"{k}={v}" for k, v in node_dir.deployment.addresses.items())
    ledger = ["--rpc-url", str(node_dir.deployment.rpc_url), "--contracts", contracts]
    out = tmp_path / "report"
    capsys.readouterr()
    assert main(["report", *tls, "--cert", str(layout.identity_cert("agency")),
                 "--key", str(layout.identity_key("agency")), *ledger,
                 "--purpose", "credit_report", "--subject", subject, "--grant", str(grant),
                 "--evidence", str(tmp_path / "consent.pdf"), "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is True and printed["records"] >= 1
    assert main(["verify-answer", str(out / "report.json"), *ledger]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] is True and verified["fields_bound"] == printed["records"]
    assert verified["receipt"]["ok"] is True
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


def png_rows(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and the set of distinct decoded pixel rows of an RGB(A) 8-bit PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows, prev = set(), bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for x in range(stride):
            left = cur[x - channels] if x >= channels else 0
            up, ul = prev[x], prev[x - channels] if x >= channels else 0
            if kind == 1:
                cur[x] = (cur[x] + left) & 255
            elif kind == 2:
                cur[x] = (cur[x] + up) & 255
            elif kind == 3:
                cur[x] = (cur[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else ul
                cur[x] = (cur[x] + guess) & 255
        rows.add(bytes(cur))
        prev = cur
    return width, height, rows


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make chromium)")
def test_report_renders_its_records_and_badges_in_headless_chromium(
        node_dir: NodeDir, running: RunningNode, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out, report = write_report(node_dir, running, tmp_path, capsys)
    url = (out / "report.html").resolve().as_uri()
    shot = tmp_path / "report.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1200,1600", url, tmp_path=tmp_path)
    assert shot.exists(), done.stderr[-2000:]
    width, height, rows = png_rows(shot)
    assert (width, height) == (1200, 1600)
    assert len(rows) >= 100, f"only {len(rows)} distinct pixel rows: a blank page?"
    dom = chromium("--dump-dom", url, tmp_path=tmp_path).stdout
    assert "信用报告" in dom and "id=\"summary\"" in dom
    assert "节点签名回执已验证" in dom
    for record in report["records"]:
        assert f"id=\"badge-{record['record_no']}\"" in dom
    assert dom.count("✓ 已验证：字段与链上锚定一致") == len(report["records"])
    saved = Path("/tmp/report13-screenshot.png")
    shutil.copyfile(shot, saved)
