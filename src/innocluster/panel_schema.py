"""The two long data formats shared by the simulator and the monitor.

The simulator writes firm panels in exactly this schema, so every indicator, stage
classifier and forecast in :mod:`innocluster.indicators` and
:mod:`innocluster.lifecycle` runs on simulated and on real data alike. This module
depends on nothing else in the package.
"""

from __future__ import annotations

#: Firm panel: one row per firm and year.
FIRM_PANEL_REQUIRED = ("firm", "region", "industry", "year", "employees")
#: Optional firm-panel columns; indicators that need a missing column are skipped
#: (and the report says so).
FIRM_PANEL_OPTIONAL = (
    "patents",  # new patents granted in the year (count)
    "rd",  # R&D spending, USD million (constant prices)
    "founded",  # founding year
    "exited",  # 1 if the firm exits at the end of this year, else 0
    "exit_reason",  # why it exits: 0 stays, 1 insolvent, 2 learned unviable, 3 lost its market
    "parent",  # firm id of the parent for spin-offs, empty / -1 otherwise
    "gvc_stage",  # 0 = assembly ... 4 = brand/standards
    "revenue",  # USD million
    "value_added",  # USD million
    "exports",  # USD million
    "technology",  # log productivity A
    "is_mne",  # 1 for multinational subsidiaries
    "profit",  # profit after R&D, USD million
    "net_worth",  # USD million, end of year
)

#: Region x industry x year table.
REGION_INDUSTRY_REQUIRED = ("region", "industry", "year", "employment")
REGION_INDUSTRY_OPTIONAL = ("establishments", "patents", "rd")
