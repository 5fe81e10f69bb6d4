"""`innocluster experiment`: list, bad options, a small end-to-end run with the new
tests.csv columns, and the robustness and scale options on a tiny configuration."""

from __future__ import annotations

import json

import pandas as pd

from innocluster.paper.claims import CLAIMS
from innocluster.paper.run import TEST_COLUMNS


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
                 ("experiment", "paper", "--scenario", "hsinchu=/no/such.toml", "--out", str(tmp_path / "v")),
                 ("experiment", "paper", "--scale-check", "7", "--out", str(tmp_path / "u")),
                 ("experiment", "run", "mech-polarisation", "--robustness", "--robustness-param", "nonsense",
                  "--out", str(tmp_path / "t")),
                 ("experiment", "run", "mech-polarisation", "--robustness", "--robustness-trajectories", "1",
                  "--out", str(tmp_path / "s"))):
        r = cli(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stdout == ""


def test_claims_end_to_end(cli, tmp_path):
    out = tmp_path / "paper"
    names = ["inside-patent-share", "mech-polarisation", "lifecycle-path"]
    r = cli("experiment", "run", *names, "--replications", "2", "--firms", "60", "--quiet", "--out", str(out),
            timeout=600)
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text()
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert list(verdicts["claim"]) == names
    assert set(verdicts["verdict"]) <= {"supported", "not supported", "depends"}
    for n in names:
        assert f'id="{n}"' in html
    assert html.count("Verdict: <span") == len(names)
    for text in ("Design and what each verdict means", "TOST", "Holm", "three designs side by side",
                 "equal-endowment gap", "within-firm effect", "data:image/png;base64,", "engine fingerprint"):
        assert text in html, text
    res = json.loads((out / "results.json").read_text())
    assert res["replications"] == 2 and len(res["claims"]) == len(names)
    tests = pd.read_csv(out / "tests.csv")
    assert list(tests.columns) == list(TEST_COLUMNS)
    assert tests["p_holm"].dropna().ge(tests["p_raw"].dropna().min()).all()
    assert (tests.loc[tests["p_raw"].notna(), "p_holm"] >= tests.loc[tests["p_raw"].notna(), "p_raw"] - 1e-12).all()
    assert tests["negligible_band"].gt(0).all() and tests["band_why"].notna().all()
    assert set(tests["kind"]) == {"paired", "level", "share"}
    raw = tests[tests["setting"].str.contains("raw gap")]
    assert len(raw) == 2 and not raw["primary"].any()
    assert {"patents_total", "cohort_patents"} <= set(tests["outcome"])


def test_robustness_and_scale_on_a_tiny_configuration(cli, tmp_path):
    out = tmp_path / "robust"
    r = cli("experiment", "run", "mech-polarisation", "--replications", "2", "--firms", "60", "--quiet",
            "--set", "years=8", "--robustness", "--robustness-param", "diffusion.network_rate",
            "--robustness-trajectories", "2",
            "--scale-check", "80", "--out", str(out), timeout=600)
    assert r.returncode == 0, r.stderr
    rob = pd.read_csv(out / "robustness.csv")
    assert list(rob["claim"]) == ["mech-polarisation"]
    assert rob["robust"].iloc[0] in ("robust", "fragile") and rob["points"].iloc[0] == 4
    idx = pd.read_csv(out / "robustness_indices.csv")
    assert list(idx["parameter"]) == ["diffusion.network_rate"]
    checkpoint = (out / "robustness_checkpoint.jsonl").read_text().splitlines()
    assert len(checkpoint) == 1 + 4 and json.loads(checkpoint[0])["identity"]["parameters"] == ["diffusion.network_rate"]
    scale = pd.read_csv(out / "scale.csv")
    assert {"verdict at 60 firms", "verdict at 80 firms", "same"} <= set(scale.columns)
    per_test = pd.read_csv(out / "scale_tests.csv")
    assert {"effect at 60 firms", "effect at 80 firms", "verdict at 80 firms"} <= set(per_test.columns)
    html = (out / "report.html").read_text()
    assert "Robustness (Morris screening)" in html and "Verdicts at two sizes" in html
