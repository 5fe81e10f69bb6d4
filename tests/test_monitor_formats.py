"""Monitor: official formats as published (County Business Patterns, Eurostat SBS TSV,
OECD REGPAT), the encodings, separators and sheets of users' files, refusals, cluster
definitions. The fixtures in tests/data/monitor are small extracts in the published
layouts (values made up)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from innocluster.errors import InputError
from innocluster.monitor import load_data
from innocluster.monitor.cli import register
from innocluster.monitor.compute import compute_indicators
from innocluster.monitor.formats import industry_groups

DATA = Path(__file__).parent / "data" / "monitor"
CBP16, CBP21 = DATA / "cbp16co.txt", DATA / "cbp21co.txt"
SBS = DATA / "sbs_r_nuts06_r2.tsv"
REGPAT = [DATA / "202208_EPO_Inv_reg.txt", DATA / "202208_EPO_IPC.txt"]


def _app():
    app = typer.Typer()
    register(app)
    return app


# ------------------------------------------------------------------ official formats

@pytest.mark.parametrize("path,year,flag", [(CBP16, 2016, "empflag E"), (CBP21, 2021, "emp_nf D")])
def test_cbp_county_file_as_published(path, year, flag):
    ds = load_data(path)
    assert ds.format == "cbp" and ds.code_system == "naics"
    d = ds.data.astype({"region": str, "industry": str}).set_index(["region", "industry"])
    # FIPS state + county, 4-digit NAICS only (no double counting of 3341// within 334///)
    assert set(d.index.get_level_values("region")) == {"06085", "06081"}  # statewide 999 left out
    assert set(d.index.get_level_values("industry")) == {"3341", "3344", "5415"}
    assert (d["year"] == year).all()
    assert d.loc[("06085", "5415"), "employment"] == 90000
    # the withheld cell is unknown, never zero, and reported with its range
    assert np.isnan(d.loc[("06081", "3344"), "employment"])
    assert d.loc[("06081", "3344"), "establishments"] == 30
    s = ds.suppressed.iloc[0]
    assert (s["region"], s["industry"], s["flag"]) == ("06081", "3344", flag)
    assert s["low"] == 290  # 6*5 + 5*10 + 3*20 + 50 + 100 employees at least
    assert any("statewide" in n for n in ds.notes)
    assert any("withheld" in n and "not zero" in n for n in ds.notes)


def test_cbp_state_file_all_legal_forms_only():
    ds = load_data(DATA / "cbp16st.txt")
    d = ds.data.astype({"region": str, "industry": str}).set_index(["region", "industry"])
    assert set(d.index.get_level_values("region")) == {"06", "32"}  # state FIPS codes
    # lfo '-' (all legal forms) only: the corporations row (lfo 'C') is not added to it
    assert d.loc[("06", "3341"), "employment"] == 60000
    assert np.isnan(d.loc[("32", "3344"), "employment"])
    assert ds.suppressed["flag"].tolist() == ["empflag E"]


def test_cbp_noise_flag_counted():
    assert any("1 employment values carry high noise (flag J" in n for n in load_data(CBP21).notes)


def test_cbp_options_year_level_midpoint():
    ds = load_data(CBP16, naics_level=2)
    assert set(ds.data["industry"].astype(str)) == {"31-33", "54"}
    mid = load_data(CBP16, suppressed="midpoint")
    v = mid.data.set_index(["region", "industry"]).loc[("06081", "3344"), "employment"]
    assert v == pytest.approx((290 + 499) / 2)
    both = load_data([CBP16, CBP21])
    assert sorted(both.data["year"].unique()) == [2016, 2021]
    assert load_data(CBP16, naics_level=6).data["industry"].astype(str).tolist() == ["334413"]


def test_cbp_year_needed(tmp_path):
    p = tmp_path / "county_business_patterns.txt"
    p.write_bytes(CBP16.read_bytes())
    with pytest.raises(InputError, match="year of this County Business Patterns file is unknown"):
        load_data(p)
    assert (load_data(p, year=2016).data["year"] == 2016).all()
    res = CliRunner().invoke(_app(), ["indicators", str(p)])
    assert res.exit_code == 2 and "Traceback" not in res.output and "--year" in res.output


def test_eurostat_sbs_tsv_as_published():
    ds = load_data(SBS)
    assert ds.format == "eurostat-sbs" and ds.code_system == "nace"
    d = ds.data.astype({"region": str, "industry": str}).set_index(["region", "industry", "year"])
    assert set(d.index.get_level_values("industry")) == {"C26", "C27"}  # divisions; B-S_X_K642 aggregate left out
    assert d.loc[("DE21", "C26", 2018), "employment"] == 39120  # "39120 p": provisional, read
    assert d.loc[("DE11", "C26", 2016), "establishments"] == 398
    assert np.isnan(d.loc[("FR10", "C26", 2018), "employment"])  # ": c" confidential: unknown, not zero
    assert ds.suppressed[["region", "industry", "year"]].values.tolist() == [["FR10", "C26", 2018]]
    assert any("B-S_X_K642" in n for n in ds.notes)
    assert any("c (confidential) x1" in n and "p (provisional) x1" in n for n in ds.notes)
    sec = load_data(SBS, nace_level="section")
    assert sec.data["industry"].astype(str).unique().tolist() == ["C"]


def test_regpat_fractional_counts():
    ds = load_data(REGPAT)
    assert ds.format == "regpat" and ds.code_system == "ipc"
    d = ds.data.astype({"region": str, "industry": str}).set_index(["region", "industry", "year"])["patents"]
    # six applications, each counted once across inventor regions and IPC subclasses
    assert d.sum() == pytest.approx(6.0)
    # 1001: half DE111, half DE212, two subclasses -> 0.25 each; 1002: DE111 H01L 1
    assert d[("DE111", "H01L", 2015)] == pytest.approx(1.25)
    assert d[("DE212", "G06F", 2015)] == pytest.approx(0.25)
    sec = load_data(REGPAT, ipc_level=1).data
    assert set(sec["industry"].astype(str)) == {"A", "G", "H"}
    with pytest.raises(InputError, match="REGPAT needs two files"):
        load_data(REGPAT[0])


def test_code_hierarchies_give_variety():
    # NAICS sectors as NAICS defines them (31-33 is one sector)
    assert industry_groups(["3341", "3254", "5415"], "naics") == ["31-33", "31-33", "54"]
    assert industry_groups(["C2611", "C2612", "C2711"], "nace") == ["C26", "C26", "C27"]
    assert industry_groups(["H01L", "H01M", "G06F"], "ipc") == ["H01", "H01", "G06"]
    s = compute_indicators(load_data([CBP16, CBP21]))
    assert "related_variety" in s.region.columns and s.region["related_variety"].notna().any()


def test_format_named_but_wrong_is_one_line():
    res = CliRunner().invoke(_app(), ["indicators", str(CBP16), "--format", "eurostat-sbs"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "--format eurostat-sbs: the columns are not those of this format" in res.output
    res = CliRunner().invoke(_app(), ["indicators", str(CBP16), "--format", "xls"])
    assert res.exit_code == 2 and "allowed long, cbp, eurostat-sbs, regpat" in res.output


def test_monitor_on_official_formats(tmp_path):
    for i, args in enumerate(([str(CBP16), str(CBP21)], [str(SBS)], [str(p) for p in REGPAT])):
        out = tmp_path / f"o{i}"
        res = CliRunner().invoke(_app(), ["monitor", *args, "--out", str(out)])
        assert res.exit_code == 0, res.output
        data = json.loads((out / "indicators.json").read_text())
        assert len(data["clusters"]) >= 2  # each region judged on its own
        assert all(c["warnings"]["race_to_the_bottom"]["state"] == "not judged" for c in data["clusters"])


# ------------------------------------------------------------------ users' files

LONG = ("region,industry,year,employment,establishments\n"
        "台北,半导体,2019,100,5\n台北,电子,2019,50,3\n新竹,半导体,2019,300,9\n新竹,电子,2019,20,2\n")
LATIN = ("region,industry,year,employment\nZürich,Präzision,2019,100\nBesançon,Horlogerie,2019,80\n"
         "Zürich,Horlogerie,2019,10\nBesançon,Präzision,2019,5\n")


@pytest.mark.parametrize("text,codec", [
    (LONG, "utf-8"), (LONG, "utf-8-sig"), (LONG, "utf-16"), (LONG, "utf-16-le"), (LONG, "gbk"), (LONG, "gb18030"),
    (LATIN, "cp1252"), (LATIN, "utf-8-sig"),
])
def test_encodings_detected(tmp_path, text, codec):
    p = tmp_path / f"d_{codec}.csv"
    p.write_bytes(text.encode(codec))
    ds = load_data(p)
    want = pd.read_csv(__import__("io").StringIO(text))
    assert sorted(ds.data["region"].astype(str).unique()) == sorted(want["region"].unique())
    assert sorted(ds.data["industry"].astype(str).unique()) == sorted(want["industry"].unique())
    assert ds.data["employment"].sum() == want["employment"].sum()


def test_encoding_option_and_bad_codec(tmp_path):
    p = tmp_path / "d.csv"
    p.write_bytes(LATIN.encode("cp1252"))
    assert "Zürich" in set(load_data(p, encoding="cp1252").data["region"].astype(str))
    res = CliRunner().invoke(_app(), ["indicators", str(p), "--encoding", "klingon"])
    assert res.exit_code == 2 and "Traceback" not in res.output and "klingon" in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators_detected(tmp_path, sep):
    text = LATIN.replace(",", sep)
    p = tmp_path / "d.csv"
    p.write_text(text, encoding="utf-8")
    ds = load_data(p)
    assert ds.data["employment"].sum() == 195


def test_semicolon_with_decimal_comma(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("region;industry;year;employment;rd\nA;x;2019;100;1,5\nB;x;2019;50;2,25\n"
                 "A;y;2019;10;0,5\nB;y;2019;60;1,0\n", encoding="utf-8")
    ds = load_data(p)
    assert ds.data["rd"].tolist() == [1.5, 0.5, 2.25, 1.0] or sorted(ds.data["rd"]) == [0.5, 1.0, 1.5, 2.25]
    assert any("decimal comma" in n for n in ds.notes)


def test_workbook_sheets(tmp_path):
    p = tmp_path / "book.xlsx"
    data = pd.read_csv(__import__("io").StringIO(LATIN))
    with pd.ExcelWriter(p) as w:
        pd.DataFrame({"about": ["exported by the statistics office"]}).to_excel(w, sheet_name="README", index=False)
        data.to_excel(w, sheet_name="data", index=False)
        data.assign(employment=data["employment"] * 2).to_excel(w, sheet_name="2020", index=False)
    with pytest.raises(InputError, match="README"):
        load_data(p)  # the first sheet is not data: say which sheet was read
    ds = load_data(p, sheet="data")
    assert ds.data["employment"].sum() == 195
    assert any("read sheet 'data'" in n and "'README'" in n and "'2020'" in n for n in ds.notes)
    assert load_data(p, sheet=2).data["employment"].sum() == 390
    res = CliRunner().invoke(_app(), ["indicators", str(p), "--sheet", "nope"])
    assert res.exit_code == 2 and "nope" in res.output and "Traceback" not in res.output


# ------------------------------------------------------------------ refusals

def _parquet(tmp_path, df):
    p = tmp_path / "d.parquet"
    df.to_parquet(p)
    return p


BASE = pd.DataFrame({"region": ["a", "b", "a", "b"], "industry": ["x", "x", "y", "y"], "year": [2019] * 4,
                     "employment": [10.0, 20.0, 30.0, 40.0]})


@pytest.mark.parametrize("column,values,pattern", [
    ("year", pd.to_datetime(["2019-01-01"] * 4), r"column 'year': datetime value 2019-01-01.*whole number"),
    ("employment", [True, False, True, True], r"column 'employment': boolean value True; a count is needed"),
    ("employment", [10.0, np.inf, 1.0, 1.0], r"column 'employment': value inf is not finite"),
    ("employment", [10.0, 1e308, 1.0, 1.0], r"column 'employment': value 1e\+308 is beyond the plausible range"),
    ("year", [2019, 2019, 20190, 2019], r"column 'year': value 20190 is beyond the plausible range 1800 to 2100"),
])
def test_refusals_one_line_exit_2(tmp_path, column, values, pattern):
    df = BASE.copy()
    df[column] = values
    p = _parquet(tmp_path, df)
    with pytest.raises(InputError, match=pattern) as exc:
        load_data(p)
    assert "\n" not in str(exc.value) and str(p) in str(exc.value)
    res = CliRunner().invoke(_app(), ["indicators", str(p)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_date_text_year_refused(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("region,industry,year,employment\na,x,2019-01-01,5\n")
    with pytest.raises(InputError, match=r"line 2, column 'year': value '2019-01-01' is a date"):
        load_data(p)


def test_unknown_focus_says_industries(tmp_path):
    p = tmp_path / "d.csv"
    BASE.to_csv(p, index=False)
    res = CliRunner().invoke(_app(), ["monitor", str(p), "--industry", "z", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "industries present: x, y" in res.output and "industrys" not in res.output


# ------------------------------------------------------------------ cluster definitions

DEFS = ("# code -> cluster\ncode,cluster,type\n3341,Information Technology,traded\n3344,Information Technology,traded\n"
        "54,Business Services,traded\n")


def test_clusters_file_maps_before_indicators(tmp_path):
    defs = tmp_path / "defs.csv"
    defs.write_text(DEFS)
    ds = load_data([CBP16, CBP21], clusters=defs, suppressed="midpoint")
    d = ds.data.astype({"region": str, "industry": str})
    assert set(d["industry"]) == {"Information Technology", "Business Services"}
    it = d[(d.region == "06085") & (d.industry == "Information Technology") & (d.year == 2016)]["employment"]
    assert it.item() == 40000 + 52000  # 3341 + 3344 summed into one cluster
    assert ds.cluster_types == {"Information Technology": "traded", "Business Services": "traded"}
    out = tmp_path / "o"
    res = CliRunner().invoke(_app(), ["monitor", str(CBP16), str(CBP21), "--clusters", str(defs),
                                      "--suppressed", "midpoint", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "indicators.json").read_text())
    # with cluster definitions each region x cluster cell is judged
    assert {c["name"] for c in data["clusters"]} == {f"{r} / {k}" for r in ("06085", "06081")
                                                     for k in ("Information Technology", "Business Services")}
    assert any("traded clusters only" in n for n in data["notes"])


def test_clusters_unassigned_and_bad_file(tmp_path):
    defs = tmp_path / "defs.csv"
    defs.write_text("code,cluster,type\n3341,Information Technology,traded\n")
    ds = load_data(CBP16, clusters=defs)
    assert "(unassigned)" in set(ds.data["industry"].astype(str))
    assert any("unassigned" in n for n in ds.notes)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,cluster,type\n3341,IT,traded\n3341,Other,traded\n")
    with pytest.raises(InputError, match="3341"):
        load_data(CBP16, clusters=bad)
    res = CliRunner().invoke(_app(), ["indicators", str(CBP16), "--clusters", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_example_definitions_ship():
    from innocluster.monitor.definitions import example_definitions, read_definitions

    defs = read_definitions(example_definitions())
    assert "traded" in set(defs.types.values())


def test_eurostat_newer_layout_indicator_option_and_confidential_cell(tmp_path):
    # newer bulk files start with freq and call the indicator dimension indic_sbs
    p = tmp_path / "sbs_new.tsv"
    p.write_text("freq,indic_sbs,nace_r2,geo\\TIME_PERIOD\t2021 \t2022 \n"
                 "A,EMP_LOC_NR,C26,DE11\t100 \t110 p\nA,EMP_LOC_NR,C26,DE21\t: c\t90 \n"
                 "A,EMP_LOC_NR,C27,DE11\t50 \t55 \nA,EMP_LOC_NR,C27,DE21\t70 \t: \n"
                 "A,LOC_NR,C26,DE11\t3 \t3 \nA,LOC_NR,C26,DE21\t2 \t2 \nA,LOC_NR,C27,DE11\t4 \t4 \n"
                 "A,LOC_NR,C27,DE21\t5 \t: \n")
    with pytest.raises(InputError, match="the file has EMP_LOC_NR, LOC_NR"):
        load_data(p)
    ds = load_data(p, eurostat_indicators={"EMP_LOC_NR": "employment", "LOC_NR": "establishments"})
    d = ds.data.astype({"region": str, "industry": str}).set_index(["region", "industry", "year"])
    # ": c" is confidential: the cell exists, its employment is unknown
    assert np.isnan(d.loc[("DE21", "C26", 2021), "employment"]) and d.loc[("DE21", "C26", 2021), "establishments"] == 2
    # ":" in every indicator: no observation, no row
    assert ("DE21", "C27", 2022) not in d.index
    res = CliRunner().invoke(_app(), ["indicators", str(p), "--indicator", "EMP_LOC_NR=employment",
                                      "--indicator", "LOC_NR=establishments"])
    assert res.exit_code == 0, res.output
    assert "specialisation and concentration use the number of establishments" in res.output
    only = tmp_path / "only_emp.tsv"
    only.write_text("freq,indic_sbs,nace_r2,geo\\TIME_PERIOD\t2021 \nA,EMP_LOC_NR,C26,DE11\t100 \n"
                    "A,EMP_LOC_NR,C26,DE21\t: c\nA,EMP_LOC_NR,C27,DE11\t50 \nA,EMP_LOC_NR,C27,DE21\t70 \n")
    res = CliRunner().invoke(_app(), ["indicators", str(only), "--indicator", "EMP_LOC_NR=employment"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "employment is unknown" in res.output and "1 of 4 cells" in res.output  # never read as zero
    res = CliRunner().invoke(_app(), ["indicators", str(only), "--indicator", "EMP_LOC_NR"])
    assert res.exit_code == 2 and "give CODE=COLUMN" in res.output
