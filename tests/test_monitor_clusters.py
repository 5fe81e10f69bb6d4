"""Monitor: each cluster judged on its own, three-state warnings in JSON, HTML and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from innocluster.errors import InputError
from innocluster.monitor import validate
from innocluster.monitor.cli import register
from innocluster.monitor.report import analyse, render_html
from innocluster.monitor.series import SIGNAL_SOURCES


def _two_regions() -> pd.DataFrame:
    """A simulated two-region panel: 'boom' grows along a logistic curve while its
    margins and R&D intensity fall (a race to the bottom); 'steady' shrinks slowly with
    constant margins. Two industries each."""
    years = np.arange(2000, 2016)
    rows = []
    for k, y in enumerate(years):
        boom = 400 / (1 + np.exp(-0.5 * (k - 6)))
        steady = 300 * 0.97**k
        for region, firms, margin, rdint in (("boom", boom, 0.3 * 0.85**k, 0.05 * 0.85**k),
                                              ("steady", steady, 0.25, 0.04)):
            for ind_, share in (("chips", 0.7), ("tools", 0.3)):
                est = firms * share
                rev = est * 10.0
                rows.append({"region": region, "industry": ind_, "year": int(y), "establishments": round(est, 3),
                             "employment": round(est * 20, 3), "revenue": rev, "value_added": rev * margin,
                             "rd": rev * rdint})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def two():
    ds = validate(_two_regions(), source="two.csv")
    return ds, analyse(ds)


def test_each_region_judged_on_its_own(two):
    _ds, a = two
    d = a["data"]
    names = [c["name"] for c in d["clusters"]]
    assert sorted(names) == ["boom", "steady"]
    by = {c["name"]: c for c in d["clusters"]}
    # stages from each region's own series: one grows, the other declines
    assert by["boom"]["latest_stage"] in {"growth", "maturity"}
    assert by["steady"]["latest_stage"] == "decline"
    # the race to the bottom is in 'boom' only
    assert by["boom"]["warnings"]["race_to_the_bottom"]["state"] == "warning"
    assert by["steady"]["warnings"]["race_to_the_bottom"]["state"] == "no warning"
    # forecasts of each region's own series, not of the sum
    sat = by["boom"]["forecasts"]["logistic"]
    assert sat["ok"], sat["message"]
    assert sat["saturation"] == pytest.approx(400, rel=0.05)
    # the top-level verdict is the first (largest) cluster's, and is named
    assert d["cluster"]["name"] == names[0]
    assert d["warnings"] == d["clusters"][0]["warnings"]


def test_three_states_and_what_is_missing(two):
    _ds, a = two
    by = {c["name"]: c for c in a["data"]["clusters"]}
    li = by["steady"]["warnings"]["lock_in"]
    # productivity (value added per employee) and relatedness flexibility are measurable
    # with two regions; technology and network ties are not
    assert li["state"] in {"warning", "no warning", "not judged"}
    assert "external_tie_share" in li["missing"]
    assert li["needs"]["external_tie_share"] == SIGNAL_SOURCES["external_tie_share"]
    # a region table without money columns: race to the bottom is not judged, never "no warning"
    ds = validate(_two_regions().drop(columns=["revenue", "value_added", "rd"]), source="t.csv")
    b = analyse(ds)
    for c in b["data"]["clusters"]:
        w = c["warnings"]["race_to_the_bottom"]
        assert w["state"] == "not judged" and not w["flag"]
        assert set(w["missing"]) == {"gvc_share_0", "margin", "rd_intensity"}
        assert "revenue" in w["needs"]["margin"]
    html = render_html(b)
    assert "Race to the bottom: not judged" in html
    assert "Race to the bottom: no warning" not in html
    assert "class='unjudged'" in html


def test_html_names_each_cluster_and_its_stage(two):
    _ds, a = two
    html = render_html(a)
    assert "Cluster: boom" in html and "Cluster: steady" in html
    assert "steady: latest stage (2015): <b>decline</b>" in html
    assert "Race to the bottom: WARNING" in html


def test_focus_narrows_and_cells(two):
    ds, _a = two
    one = analyse(ds, region="steady")["data"]
    assert [c["name"] for c in one["clusters"]] == ["steady"]
    cells = analyse(ds, by="cell")["data"]["clusters"]
    assert {c["name"] for c in cells} == {"boom / chips", "boom / tools", "steady / chips", "steady / tools"}
    ind_only = analyse(ds, industry="tools")["data"]["clusters"]
    assert {c["name"] for c in ind_only} == {"boom / tools", "steady / tools"}
    capped = analyse(ds, by="cell", max_clusters=1)["data"]
    assert len(capped["clusters"]) == 1
    assert any("4 clusters; the 1 largest" in n for n in capped["notes"])
    with pytest.raises(InputError, match="--by"):
        analyse(ds, by="county")
    with pytest.raises(InputError, match="atlantis"):
        analyse(ds, region="atlantis")


def test_strong_clusters_need_enough_regions(two):
    _ds, a = two
    d = a["data"]
    assert d["strong_clusters_judged"] is False and d["strong_clusters_last_year"] == []
    assert any("strong clusters not judged: 2 regions" in n for n in d["notes"])
    assert "Strong clusters" in render_html(a) and "not judged: too few regions" in render_html(a)


def _app():
    app = typer.Typer()
    register(app)
    return app


def test_cli_summary_three_states(tmp_path):
    p = tmp_path / "two.csv"
    _two_regions().drop(columns=["rd"]).to_csv(p, index=False)
    res = CliRunner().invoke(_app(), ["monitor", str(p), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "boom: stage (2015)" in out and "steady: stage (2015): decline" in out
    data = json.loads((tmp_path / "o" / "indicators.json").read_text())
    states = {c["name"]: c["warnings"]["race_to_the_bottom"]["state"] for c in data["clusters"]}
    # margin alone is one measurable signal of three: fewer than the two needed
    assert states == {"boom": "not judged", "steady": "not judged"}
    assert "race to the bottom not judged: missing gvc_share_0, rd_intensity" in out
    res = CliRunner().invoke(_app(), ["monitor", str(p), "--out", str(tmp_path / "o2"), "--by", "nope"])
    assert res.exit_code == 2 and res.output.strip().startswith("error:") and "--by 'nope'" in res.output


def test_single_region_cells_unless_region_named():
    df = _two_regions()
    one = validate(df[df.region == "boom"], source="one.csv")
    cells = analyse(one)["data"]["clusters"]
    assert {c["name"] for c in cells} == {"boom / chips", "boom / tools"}
    whole = analyse(one, region="boom")["data"]["clusters"]
    assert [c["name"] for c in whole] == ["boom"]


def test_firm_panel_one_region_agglomeration_undefined():
    rng = np.random.default_rng(2)
    n = 60
    firm = np.repeat(np.arange(n), 3)
    df = pd.DataFrame({"firm": firm, "region": "hsinchu", "industry": np.where(firm % 2, "chips", "tools"),
                       "year": np.tile([2000, 2001, 2002], n), "employees": rng.integers(5, 500, firm.size)})
    from innocluster.monitor.compute import compute_indicators

    s = compute_indicators(validate(df, source="p.csv"))
    assert s.industry["eg_gamma"].isna().all() and s.industry["ms_gamma"].isna().all()
    assert any("Ellison-Glaeser / Maurel-Sedillot undefined: one region" in n for n in s.notes)
    two = df.assign(region=np.where(df["firm"] % 3 == 0, "periphery", "hsinchu"))
    s2 = compute_indicators(validate(two, source="p.csv"))
    assert s2.industry["eg_gamma"].notna().all()
