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

_HUMP = ("technological heterogeneity never narrows: firms with R&D units keep drawing innovations while "
         "firms without them only imitate, and imitation favours sources close in technology (Cohen & "
         "Levinthal 1990), so laggards learn from near neighbours instead of catching up with the frontier; "
         "a catch-up speed rising with the distance to the frontier (Nelson & Phelps 1966; Griffith, Redding "
         "& Van Reenen 2004) is the candidate mechanism")
_WIDENING = ("productivity dispersion widens over the run, for the same reason the heterogeneity never narrows "
             "(innovations accumulate in R&D performers, imitation does not pull laggards to the frontier)")

KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("*", "heterogeneity_hump"): _HUMP,
    ("hsinchu", "dispersion_persists"): _WIDENING,
    ("china-sme-baseline", "dispersion_persists"): _WIDENING,
    ("bangalore", "dispersion_persists"): _WIDENING,
    ("hsinchu", "survival_5y"): (
        "too few entrants survive five years: the calibrated fixed cost (USD 0.32 million a year, set by the "
        "exit-rate target with the park's growth) is large for a start-up of eight employees, so selection "
        "of the young is harsher than in business statistics"),
    ("hsinchu", "size_zipf"): (
        "the upper tail of firm sizes is thinner than Zipf's: the economy's largest firms are capped by the "
        "span-of-control costs (market.span_of_control) and a cluster capacity near its lower bound"),
    ("hsinchu", "shakeout"): (
        "no deep shake-out: entry is a steady flow per initial firm and entrants start at the region's "
        "current mean technology, so late entrants are never shut out by incumbents' accumulated advantage "
        "(the scale advantage of R&D in Klepper 1996 has no entry barrier to act on)"),
    ("bangalore", "shakeout"): (
        "no shake-out: the STPI park keeps attracting foreign-equity subsidiaries and start-ups, and entry is "
        "a steady flow; Klepper's (1996) shake-out needs entry to dry up as incumbents grow"),
    ("bangalore", "survival_5y"): (
        "entrants survive too long: the calibrated fixed cost is small (USD 37,000 a year) and most entrants "
        "of the park are foreign-equity subsidiaries with ten times a founder's capital, so losses take years "
        "to exhaust net worth (exit comes when net worth runs out, not when a firm learns it is unviable)"),
    ("bangalore", "hazard_age"): (
        "young firms exit less than old ones: start-ups in the rest of India lose little each year and live "
        "on their founder's capital for four to nine years, while old subsidiaries whose market has moved on "
        "exit; a Jovanovic (1982) exit on learned (not cash-exhausted) unviability is the candidate mechanism"),
    ("italy-overintervention", "dispersion_persists"): _WIDENING,
    ("italy-overintervention", "survival_5y"): (
        "a third of entrants survive five years: the fixed cost calibrated to the exit rate (USD 0.25 million "
        "a year) is large for a start-up of eight employees"),
    ("italy-overintervention", "periphery_kept"): (
        "the periphery falls to a quarter of its firms while the district grows two and a half times: the "
        "district's agglomeration advantage takes the stage markets both share and relocation draws firms in "
        "(with relocation off the periphery keeps 0.4, with agglomeration off 0.33; with the government off "
        "it is unchanged), so the scenario's over-intervention does not make the district decline"),
    ("lock-in", "survival_5y"): (
        "a quarter of entrants survive five years: the fixed cost calibrated to the exit rate (USD 0.69 "
        "million a year) is large for a start-up of eight employees"),
    ("lock-in", "size_zipf"): (
        "the upper tail of firm sizes is a little thinner than Zipf's (1.3): span-of-control costs cap the "
        "largest firms"),
    ("lock-in", "shakeout"): (
        "no deep shake-out: entry is a steady flow per initial firm and entrants start at the region's "
        "current mean technology (see hsinchu)"),
    ("lock-in", "productivity_dispersion"): (
        "dispersion just below the US level (0.50 against 0.5-1.6): the old district's firms start close "
        "together and its closed networks keep them there, the homogeneity the lock-in story describes"),
    ("lock-in", "periphery_innovates_less"): (
        "the locked-in district patents less per firm than the rest of the economy: the inward-looking, "
        "stagnant cluster of the scenario's story (Grabher 1993), not a periphery that innovates like a "
        "cluster"),
    ("race-to-the-bottom", "periphery_kept"): (
        "the periphery keeps under a tenth of its firms: both regions sell into an assembly market whose "
        "value shrinks 3% a year with every productivity gain passed on as lower prices "
        "(stages.assembly.demand_growth, price_pass_through), and the town's lower wage wins what is left; the "
        "decline the story needs is the town's, but the model puts it on the rest of the economy"),
    ("race-to-the-bottom", "exit_rate"): (
        "exit rises above business statistics (13% over the run; 9% in 2005, its calibration target) as the "
        "assembly market shrinks"),
    ("race-to-the-bottom", "survival_5y"): (
        "a fifth of entrants survive five years: entrants keep entering a shrinking commodity market"),
    ("race-to-the-bottom", "size_zipf"): (
        "a fatter upper tail than Zipf's (0.77): the few low-cost assemblers that win the shrinking market "
        "grow very large"),
}


def known_gap(scenario: str, fact: str) -> str:
    """The documented reason ``scenario`` does not reproduce ``fact``, or ``""``."""
    return KNOWN_GAPS.get((scenario, fact)) or KNOWN_GAPS.get(("*", fact), "")
