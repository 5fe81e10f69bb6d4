"""`innocluster experiment`: list, bad options, and one end-to-end run over every claim."""

from __future__ import annotations

import json

import pandas as pd

from innocluster.paper.claims import CLAIMS


def test_list_shows_every_claim(cli):
    r = cli("experiment", "list")
    assert r.returncode == 0, r.stderr
    flat = r.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    for c in CLAIMS:
        assert c.id.replace("-", "")[:12] in flat.replace("-", "").replace("…", "")


def test_bad_options_exit_2_with_one_line(cli, tmp_path):
    for args in (("experiment", "run", "no-such-claim", "--out", str(tmp_path / "x")),
                 ("experiment", "paper", "--replications", "1", "--out", str(tmp_path / "y")),
                 ("experiment", "paper", "--firms", "3", "--out", str(tmp_path / "z")),
                 ("experiment", "paper", "--set", "nonsense", "--out", str(tmp_path / "w")),
                 ("experiment", "paper", "--scenario", "hsinchu=/no/such.toml", "--out", str(tmp_path / "v"))):
        r = cli(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stdout == ""


def test_paper_end_to_end(cli, tmp_path):
    out = tmp_path / "paper"
    r = cli("experiment", "paper", "--replications", "2", "--firms", "150", "--quiet", "--out", str(out),
            timeout=600)
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text()
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert set(verdicts["claim"]) == {c.id for c in CLAIMS}
    assert set(verdicts["verdict"]) <= {"supported", "not supported", "depends"}
    for c in CLAIMS:
        assert f'id="{c.id}"' in html
    assert html.count("Verdict: <span") == len(CLAIMS)
    assert "data:image/png;base64," in html and "engine fingerprint" in html
    res = json.loads((out / "results.json").read_text())
    assert res["replications"] == 2 and len(res["claims"]) == len(CLAIMS)
    tests = pd.read_csv(out / "tests.csv")
    assert {"effect", "ci_low", "ci_high", "verdict"} <= set(tests.columns)
