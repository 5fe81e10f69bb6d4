"""Monitor Cincera's (1997) real firm panel: technological specialisation of world
regions, patents per firm and the patent-R&D elasticity.

Run: ``python examples/cincera_monitor.py [OUT_DIR]`` (writes a full report too).
"""

from __future__ import annotations

import sys

import innocluster.indicators as ind
from innocluster.monitor import example_data, load_data, to_region_table
from innocluster.monitor.report import write_report

ds = load_data(example_data("cincera"))
table = to_region_table(ds)
pooled = table.groupby(["region", "industry"], observed=True)["patents"].sum().unstack(fill_value=0)
print("Technological specialisation: patent location quotients, world region x sector, 1983-1991")
print(ind.location_quotient(pooled).round(2).to_string())
per_firm = ind.patent_indicators(ds.data, by=("region",))
per_year = ds.data.groupby("region")["patents"].mean()
print("\nPatents per firm (whole period) and per firm-year, by region")
print(per_firm.set_index("region")[["firms", "patents", "patents_per_firm"]].assign(per_firm_year=per_year).round(1).to_string())
e = ind.patent_rd_elasticity(ds.data)
print(f"\nPatent-R&D elasticity (Poisson, year effects, firm-clustered SE): {e.elasticity:.3f} "
      f"(SE {e.se:.3f}, 95% CI {e.ci_low:.3f}-{e.ci_high:.3f}; {e.n_obs} firm-years, {e.n_firms} firms)")
out = sys.argv[1] if len(sys.argv) > 1 else "cincera_report"
write_report(ds, out)
print(f"report: {out}/report.html")
