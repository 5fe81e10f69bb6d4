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
    ("italy-overintervention", "exit_rate"): (
        "exit is rarer than in business statistics (4%): the scenario is calibrated only to ordinary margins "
        "around the district, and its heavy subsidies keep loss-makers alive (the efficiency trap the "
        "scenario tells)"),
}


def known_gap(scenario: str, fact: str) -> str:
    """The documented reason ``scenario`` does not reproduce ``fact``, or ``""``."""
    return KNOWN_GAPS.get((scenario, fact)) or KNOWN_GAPS.get(("*", fact), "")
