"""The firm panel says why each firm exits (:func:`innocluster.model.exit.exit_reasons`),
and a panel with a bad ``exit_reason`` is refused in one line."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import small

from innocluster.errors import InputError
from innocluster.model.engine import simulate
from innocluster.model.exit import EXIT_REASONS


def test_every_exit_has_a_reason_and_only_exits_have_one():
    p = simulate(small("china-sme-baseline"), seed=2, years=15, firms=1500, firm_panel=True).firm_panel
    assert set(p["exit_reason"].unique()) <= {0, *EXIT_REASONS}
    assert ((p["exit_reason"] > 0) == (p["exited"] == 1)).all()
    exits = p[p["exited"] == 1]
    # the insolvent had negative net worth at the end of the year; the others did not
    assert (exits.loc[exits["exit_reason"] == 1, "net_worth"] < 0).all()
    assert (exits.loc[exits["exit_reason"] > 1, "net_worth"] >= 0).all()
    assert (exits["exit_reason"] == 2).any()  # learned unviability fires in this scenario


def test_without_learning_no_firm_exits_as_unviable():
    p = simulate(small("china-sme-baseline", "mechanisms.learning_exit=false"), seed=2, years=10, firms=800,
                 firm_panel=True).firm_panel
    assert p["exited"].sum() > 0 and not (p["exit_reason"] == 2).any()


@pytest.mark.parametrize("bad", [7, 1.5, -1])
def test_a_panel_with_an_unknown_exit_reason_is_refused(tmp_path, bad):
    from innocluster.monitor.io import load_data

    f = tmp_path / "panel.csv"
    pd.DataFrame({"firm": ["a", "b"], "region": ["r", "r"], "industry": ["x", "x"], "year": [2000, 2000],
                  "employees": [5, 6], "exit_reason": [0, bad]}).to_csv(f, index=False)
    with pytest.raises(InputError, match="exit_reason"):
        load_data(f)


def test_survivors_5y_counts_the_entry_cohorts_the_card_reads():
    """The record's ``survivors_5y`` is the number of firms that entered five years
    before and are active in the year (a firm leaving at its end included): the count
    the report card's five-year survival reads off the firm panel, cohort by cohort, and
    the same in a run that records only its final year. The starting population is no
    entry cohort."""
    res = simulate("hsinchu", seed=3, years=16, firms=600, firm_panel=True)
    ts, p = res.timeseries, res.firm_panel
    per_year = ts.groupby("year")[["survivors_5y", "entries"]].sum()
    first = int(p["year"].min())
    life = p.groupby("firm").agg(founded=("founded", "first"), last=("year", "max"))
    entrants = life[life["founded"] > first]
    assert per_year.loc[first:first + 5, "survivors_5y"].sum() == 0
    for year in range(first + 6, first + 16):
        cohort = entrants[entrants["founded"] == year - 5]
        assert len(cohort) == per_year.loc[year - 5, "entries"]
        assert per_year.loc[year, "survivors_5y"] == (cohort["last"] >= year).sum()
    assert 0 < per_year["survivors_5y"].sum() < per_year.loc[first + 1:first + 10, "entries"].sum()
    final = simulate("hsinchu", seed=3, years=16, firms=600, record="final").timeseries
    last = ts[ts["year"] == ts["year"].max()].set_index("region")["survivors_5y"]
    assert final.set_index("region")["survivors_5y"].equals(last)
