"""Monitor: loaders and validation, indicator tables, report, CLI, example data."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

import innocluster.indicators as ind
from innocluster.errors import InputError
from innocluster.monitor import example_data, load_data, to_region_table, validate
from innocluster.monitor.cli import register
from innocluster.monitor.compute import compute_indicators

REGION_CSV = "region,industry,year,employment,establishments\nhsinchu,chips,2000,100,5\nhsinchu,toys,2000,50,3\nperiphery,chips,2000,10,1\nperiphery,toys,2000,500,40\n"
FIRM_CSV = "firm,region,industry,year,employees,patents\n1,a,x,2000,10,1\n1,a,x,2001,12,0\n2,b,y,2000,5,3\n"


def _write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_detects_both_formats(tmp_path):
    r = load_data(_write(tmp_path, REGION_CSV))
    assert r.kind == "region" and list(r.data["year"]) == [2000] * 4
    f = load_data(_write(tmp_path, FIRM_CSV, "f.csv"))
    assert f.kind == "firm" and f.data["firm"].tolist() == ["1", "1", "2"]
    assert any("optional" in n and "rd" in n for n in f.notes)


@pytest.mark.parametrize(
    "text,pattern",
    [
        (REGION_CSV.replace("employment", "jobs"), "cannot tell the data format"),
        ("region,industry,year,employment\nA,x,2000,-3\n", r"line 2, column 'employment': value -3 is negative"),
        ("region,industry,year,employment\nA,x,2000,5\nA,x,2000,6\n", r"line 3: duplicated key \(region='A', industry='x', year=2000\)"),
        ("region,industry,year,employment\nA,x,2000,5\nB,x,2000,abc\n", r"line 3, column 'employment': value 'abc' is not a number"),
        ("region,industry,year,employment\nA,x,2000.5,5\n", r"column 'year': value 2000.5 is not a whole number"),
        ("firm,region,industry,employees\n1,a,x,3\n", r"missing column 'year'"),
        ("firm,region,industry,year,employees,exited\n1,a,x,2000,3,2\n", r"column 'exited': value 2 is not allowed"),
        ("firm,region,industry,year,employees\n1,,x,2000,3\n", r"line 2, column 'region': empty value"),
        ("region,industry,year,employment\nA,x,2000,\n", r"line 2, column 'employment': empty value"),
    ],
)
def test_validation_errors_are_one_line_with_file_row_column(tmp_path, text, pattern):
    p = _write(tmp_path, text)
    with pytest.raises(InputError, match=pattern) as exc:
        load_data(p)
    msg = str(exc.value)
    assert "\n" not in msg and str(p) in msg


def test_parquet_and_excel_rows_are_named(tmp_path):
    df = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"], "year": [2000, 2000], "employment": [1.0, -2.0]})
    pq = tmp_path / "d.parquet"
    df.to_parquet(pq)
    with pytest.raises(InputError, match=r"d.parquet: row 2, column 'employment'"):
        load_data(pq)
    xl = tmp_path / "d.xlsx"
    df.to_excel(xl, index=False)
    with pytest.raises(InputError, match=r"d.xlsx: row 3, column 'employment'"):
        load_data(xl)
    ok = tmp_path / "ok.xlsx"
    df.assign(employment=[1.0, 2.0]).to_excel(ok, index=False)
    assert load_data(ok).kind == "region"


def test_unreadable_and_unknown_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_data(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="unsupported file type"):
        load_data(_write(tmp_path, "x", "d.json"))
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="cannot be read"):
        load_data(bad)


def test_missing_employees_is_unknown_not_zero(tmp_path):
    p = _write(tmp_path, "firm,region,industry,year,patents\n1,a,x,2000,3\n2,a,y,2000,1\n")
    ds = load_data(p)
    assert ds.data["employees"].isna().all()
    assert any("employees" in n for n in ds.notes)
    t = to_region_table(ds)
    assert t["employment"].isna().all() and t["establishments"].tolist() == [1.0, 1.0]


def test_firm_panel_aggregation():
    ds = validate(pd.DataFrame({"firm": [1, 2, 3], "region": ["a", "a", "b"], "industry": "x", "year": 2000,
                                "employees": [10, 20, 5], "patents": [1, 2, 0]}))
    t = to_region_table(ds).set_index("region")
    assert t.loc["a", "employment"] == 30 and t.loc["a", "establishments"] == 2 and t.loc["a", "patents"] == 3


def _random_table(rng, n_r=12, n_i=9, years=(2000, 2001, 2002)):
    rows = []
    for y in years:
        for r in range(n_r):
            for i in range(n_i):
                rows.append((f"r{r}", f"i{i}", y, float(rng.integers(0, 500)), float(rng.integers(1, 40))))
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "establishments"])


def test_dense_indicators_match_reference_functions():
    rng = np.random.default_rng(2)
    df = _random_table(rng)
    s = compute_indicators(validate(df))
    y = s.cell[s.cell.year == 2001].set_index(["region", "industry"])
    mat = df[df.year == 2001].pivot(index="region", columns="industry", values="employment")
    lq = ind.location_quotient(mat)
    for (r, i), v in y["lq"].items():
        assert v == pytest.approx(lq.loc[r, i])
    ref = ind.strong_clusters(df[df.year == 2001]).set_index(["region", "industry"])["strong"]
    got = y["strong_cluster"].astype(bool)
    got.index = pd.MultiIndex.from_arrays([got.index.get_level_values(k).astype(str) for k in (0, 1)])
    ref.index = pd.MultiIndex.from_arrays([ref.index.get_level_values(k).astype(str) for k in (0, 1)])
    assert ref.any()  # the comparison is not vacuous
    pd.testing.assert_series_equal(got.sort_index(), ref.sort_index(), check_names=False)
    stars = ind.cluster_stars(df[df.year == 2001]).set_index(["region", "industry"])["stars"]
    np.testing.assert_array_equal(y["stars"].sort_index().to_numpy(), stars.sort_index().to_numpy())
    reg = s.region[s.region.year == 2001].set_index("region")
    np.testing.assert_allclose(reg["krugman_index"].sort_index(), ind.krugman_index(mat).sort_index())
    long = s.to_long()
    assert list(long.columns) == ["region", "industry", "year", "indicator", "value"]
    assert {"lq", "krugman_index", "locational_gini", "eci", "pci", "employment_growth"} <= set(long["indicator"].astype(str))


def test_firm_panel_indicators_and_skips():
    rng = np.random.default_rng(4)
    rows = []
    for f in range(60):
        reg, indus = f"r{f % 4}", f"i{f % 3}"
        for y in range(2000, 2004):
            if f >= 50 and y == 2000:
                continue  # entrants
            rows.append((f, reg, indus, y, float(rng.integers(1, 100)), int(rng.poisson(2)), float(rng.uniform(1, 10))))
    df = pd.DataFrame(rows, columns=["firm", "region", "industry", "year", "employees", "patents", "rd"])
    s = compute_indicators(validate(df))
    assert "eg_gamma" in s.industry.columns and s.industry["eg_gamma"].notna().any()
    assert s.cell.loc[s.cell.year == 2001, "entries"].sum() == 10
    assert "patent_rd_elasticity" in s.overall
    assert "patents_per_10k_employees" in s.cell.columns


def test_cincera_example_elasticity_in_published_range():
    ds = load_data(example_data("cincera"))
    assert ds.kind == "firm" and len(ds.data) == 1629 and ds.data["firm"].nunique() == 181
    assert ds.data["employees"].isna().all()
    e = ind.patent_rd_elasticity(ds.data)
    assert 0.6 <= e.elasticity <= 1.0
    assert e.n_firms == 181 and e.ci_low < e.elasticity < e.ci_high


def test_synthetic_example_is_region_table():
    ds = load_data(example_data("synthetic"))
    assert ds.kind == "region"
    assert {"hsinchu", "bangalore", "periphery"} <= set(ds.data["region"])
    with pytest.raises(InputError):
        example_data("nope")


def _app():
    app = typer.Typer()
    register(app)
    return app


def test_cli_monitor_writes_report(tmp_path):
    out = tmp_path / "rep"
    res = CliRunner().invoke(_app(), ["monitor", str(example_data("synthetic")), "--region", "hsinchu",
                                      "--industry", "semiconductors", "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 4  # heat map, Lorenz, forecast, stage
    assert "Lock-in" in html and "Race to the bottom" in html and "Notes" in html
    assert "<img src='http" not in html and "src=\"http" not in html  # self-contained
    data = json.loads((out / "indicators.json").read_text())
    assert data["stage"]["2000"] == "growth" and data["stage"]["2010"] == "maturity"
    assert data["forecasts"]["logistic"]["ok"]
    assert data["forecasts"]["logistic"]["saturation"] == pytest.approx(400, rel=0.1)


def test_cli_monitor_firm_panel_notes_skips(tmp_path):
    out = tmp_path / "cin"
    res = CliRunner().invoke(_app(), ["monitor", str(example_data("cincera")), "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "indicators.json").read_text())
    assert 0.6 <= data["overall"]["patent_rd_elasticity"] <= 1.0
    assert any("employ" in n for n in data["notes"])
    assert "Technological specialisation (patent location quotients)" in (out / "report.html").read_text()


def test_cli_indicators_out_csv_and_parquet(tmp_path):
    for name in ("t.csv", "t.parquet"):
        res = CliRunner().invoke(_app(), ["indicators", str(example_data("synthetic")), "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    a = pd.read_csv(tmp_path / "t.csv")
    b = pd.read_parquet(tmp_path / "t.parquet")
    assert list(a.columns) == ["region", "industry", "year", "indicator", "value"] and len(a) == len(b)
    res = CliRunner().invoke(_app(), ["indicators", str(example_data("synthetic"))])
    assert res.exit_code == 0 and "krugman_index" in res.output


@pytest.mark.parametrize("args", [
    ["monitor", "MISSING.csv", "--out", "o"],
    ["monitor", "BAD", "--out", "o"],
    ["monitor", "SYN", "--region", "atlantis", "--out", "o"],
    ["indicators", "SYN", "--out", "x.json"],
])
def test_cli_bad_input_exit_2_one_line(tmp_path, args):
    bad = _write(tmp_path, "region,industry,year,employment\nA,x,2000,-1\n", "bad.csv")
    subst = {"MISSING.csv": str(tmp_path / "missing.csv"), "BAD": str(bad), "SYN": str(example_data("synthetic")),
             "o": str(tmp_path / "o"), "x.json": str(tmp_path / "x.json")}
    res = CliRunner().invoke(_app(), [subst.get(a, a) for a in args])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(" ".join(lines)) and lines[0].startswith("error:")


needs_full_cli = pytest.mark.skipif(importlib.util.find_spec("innocluster.sim_cli") is None,
                                    reason="innocluster.sim_cli (other engineer) not present yet")


@needs_full_cli
def test_end_to_end_subprocess(tmp_path):
    bad = _write(tmp_path, "region,industry,year,employment\nA,x,2000,oops\n", "bad.csv")
    r = subprocess.run([sys.executable, "-m", "innocluster.cli", "indicators", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "line 2, column 'employment'" in r.stderr
    r = subprocess.run([sys.executable, "-m", "innocluster.cli", "monitor", str(example_data("synthetic")),
                        "--region", "hsinchu", "--out", str(tmp_path / "rep")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rep" / "report.html").exists()


@pytest.mark.parametrize("kind", ["region_full", "region_gaps", "firm"])
def test_streamed_tidy_parquet_equals_to_long(tmp_path, kind):
    rng = np.random.default_rng(7)
    if kind == "firm":
        rows = [(f, f"r{f % 4}", f"i{f % 3}", y, float(rng.integers(1, 100)), int(rng.poisson(2)), float(rng.uniform(1, 10)))
                for f in range(40) for y in range(2000, 2003)]
        df = pd.DataFrame(rows, columns=["firm", "region", "industry", "year", "employees", "patents", "rd"])
    else:
        df = _random_table(rng, n_r=7, n_i=5)
        if kind == "region_gaps":
            df = df.sample(frac=0.8, random_state=1)  # missing cells and unsorted rows
            df.loc[df.index[:5], "employment"] = 0.0
    s = compute_indicators(validate(df))
    ref = s.to_long()
    n = s.write_long(tmp_path / "t.parquet")
    got = pd.read_parquet(tmp_path / "t.parquet")
    assert n == len(ref) == len(got)
    pd.testing.assert_frame_equal(got, ref)


def test_region_labels_validate_to_sorted_categoricals():
    df = pd.DataFrame({"region": [" b", "a", 10, 9], "industry": [1.0, 2.0, 1.0, 2.0], "year": [2000] * 4, "employment": [1.0, 2, 3, 4]})
    d = validate(df).data
    assert isinstance(d["region"].dtype, pd.CategoricalDtype)
    assert list(d["region"].cat.categories) == ["10", "9", "a", "b"]
    assert d["region"].astype(str).tolist() == ["10", "9", "a", "b"] and d["industry"].astype(str).tolist() == ["1", "2", "2", "1"]
    with pytest.raises(InputError, match="row 1, column 'region': empty value"):
        validate(df.assign(region=["a", "  ", "c", "d"]))
    with pytest.raises(InputError, match=r"row 2: duplicated key"):
        validate(df.assign(region=["a", "c", "a", "d"], industry=["x", "y", "x", "y"]))


def test_report_folder_is_replaced_whole(tmp_path, monkeypatch):
    """A report that fails half-way leaves the earlier report as it was; a rerun replaces
    it whole; a folder holding other files is refused before any work."""
    from innocluster.monitor import report

    ds = load_data(example_data("synthetic"))
    out = tmp_path / "rep"
    report.write_report(ds, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == set(report.REPORT_FILES)

    def broken(a):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "render_html", broken)
    with pytest.raises(RuntimeError):
        report.write_report(ds, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["rep"], "no temporary folder left beside the report"
    monkeypatch.undo()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="notes.txt"):
        report.write_report(ds, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
