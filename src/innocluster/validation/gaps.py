"""Facts a built-in scenario is known not to reproduce, and why.

The report card prints the reason next to a fact that does not hold, so a reader sees
whether a failure is understood (a gap of the model, named here with its cause) or new.
``docs/validation.md`` gives the same list with the measured values;
``tests/test_validation.py`` runs the card on the calibrated scenarios and checks that
every other fact holds and that each gap listed here still fails (a gap that closes must
leave this list).

Keys are ``(scenario name, fact key)``; ``"*"`` as the scenario matches every scenario.
"""

from __future__ import annotations

_HUMP = ("the cluster's technological heterogeneity settles instead of narrowing: productivity shocks and the "
         "catch-up to the frontier hold its dispersion at a steady level, and nothing in the model makes a "
         "maturing cluster's firms converge on shared routines or a dominant design, which is what narrows "
         "heterogeneity in Menzel & Fornahl (2010)")
_NO_SHAKEOUT = ("no deep shake-out: entry is a steady flow per initial firm, so late entrants are never shut out by "
                "incumbents' accumulated advantage (the scale advantage of R&D in Klepper 1996 has no entry barrier "
                "to act on)")
_YOUNG_DIE = ("too few entrants survive five years: the fixed cost calibrated to the exit rate is large for a "
              "start-up of eight employees, so selection of the young is harsher than in business statistics")

KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("hsinchu", "size_zipf"): (
        "the upper tail of firm sizes is thinner than Zipf's (1.49, a wide interval over seeds): the largest "
        "firms are capped by span-of-control costs (market.span_of_control)"),
    ("hsinchu", "shakeout"): _NO_SHAKEOUT,
    ("hsinchu", "heterogeneity_hump"): (
        "the park's heterogeneity narrows by 9% from its (decade-smoothed) peak, just short of the 10% the "
        "fact asks; " + _HUMP),
    ("hsinchu", "margins"): (
        "the park has bad years in its second decade: in three seeds of five its margin falls to between -19% "
        "and -44% of revenue (1992-93, some 170-190 firms); the cause is not yet traced (a candidate: the "
        "calibrated fixed cost of USD 0.45 million a year on a young park's small firms when bad productivity "
        "shocks arrive)"),
    ("china-sme-baseline", "shakeout"): (
        "no shake-out: the SME population is stationary, entry matching exit at the calibrated turnover, so the "
        "firm count never peaks and falls"),
    ("bangalore", "exit_rate"): (
        "exit below business statistics over the run (4% a year; the 2001 target of 9% is also missed): even "
        "its worst region-year earns a margin of about 15%, so few firms lose money for long"),
    ("bangalore", "shakeout"): (
        "no shake-out: the STPI park keeps attracting foreign-equity subsidiaries and start-ups, and entry is "
        "a steady flow; Klepper's (1996) shake-out needs entry to dry up as incumbents grow"),
    ("bangalore", "survival_5y"): (
        "entrants survive too long (0.81): margins are high (15% in the worst region-year) and most entrants of "
        "the park are foreign-equity subsidiaries with ten times a founder's capital"),
    ("bangalore", "hazard_age"): (
        "young firms exit about as often as old ones (1.1): two thirds of its exits are on learned "
        "unviability (Jovanovic 1982), yet they fall on old firms about as often as on young ones; why is not "
        "yet traced"),
    ("bangalore", "heterogeneity_hump"): _HUMP,
    ("italy-overintervention", "survival_5y"): (
        "a third of entrants survive five years (0.34, just below the 0.35 of the literature's range): "
        + _YOUNG_DIE.split(": ", 1)[1]),
    ("italy-overintervention", "shakeout"): (
        "a shallow shake-out (6%): " + _NO_SHAKEOUT.split(": ", 1)[1]),
    ("italy-overintervention", "heterogeneity_hump"): _HUMP,
    ("italy-overintervention", "periphery_kept"): (
        "the periphery falls to a third of its firms while the district grows: the district's agglomeration "
        "advantage takes the stage markets both share and relocation draws firms in, so the scenario's "
        "over-intervention does not make the district decline"),
    ("lock-in", "size_zipf"): (
        "the upper tail of firm sizes is thinner than Zipf's (1.49): span-of-control costs cap the largest firms"),
    ("lock-in", "exit_rate"): (
        "exit rises above business statistics over the run (13%; 10% in 1995, its calibration target) as the "
        "locked-in district loses ground"),
    ("lock-in", "survival_5y"): "a quarter of entrants survive five years: " + _YOUNG_DIE.split(": ", 1)[1],
    ("lock-in", "shakeout"): _NO_SHAKEOUT,
    ("lock-in", "heterogeneity_hump"): _HUMP,
    ("lock-in", "periphery_innovates_less"): (
        "the locked-in district patents less per firm than the rest of the economy: the inward-looking, "
        "stagnant cluster of the scenario's story (Grabher 1993), not a periphery that innovates like a "
        "cluster"),
    ("race-to-the-bottom", "heterogeneity_hump"): (
        "the town's heterogeneity narrows by 10% from its (decade-smoothed) peak, on the edge of the 10% the "
        "fact asks; " + _HUMP),
    ("race-to-the-bottom", "periphery_kept"): (
        "the periphery keeps a fifth of its firms: both regions sell into an assembly market whose "
        "value shrinks 3% a year with every productivity gain passed on as lower prices "
        "(stages.assembly.demand_growth, price_pass_through), and the town's lower wage wins what is left; the "
        "decline the story needs is the town's, but the model puts it on the rest of the economy"),
    ("race-to-the-bottom", "exit_rate"): (
        "exit rises above business statistics (13% over the run; 9% in 2005, its calibration target) as the "
        "assembly market shrinks"),
    ("race-to-the-bottom", "survival_5y"): (
        "under a third of entrants survive five years: entrants keep entering a shrinking commodity market"),
    ("race-to-the-bottom", "size_zipf"): (
        "a fatter upper tail than Zipf's (0.77): the few low-cost assemblers that win the shrinking market "
        "grow very large"),
}


def known_gap(scenario: str, fact: str) -> str:
    """The documented reason ``scenario`` does not reproduce ``fact``, or ``""``."""
    return KNOWN_GAPS.get((scenario, fact)) or KNOWN_GAPS.get(("*", fact), "")
