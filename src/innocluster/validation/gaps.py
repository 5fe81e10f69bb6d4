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

KNOWN_GAPS: dict[tuple[str, str], str] = {}


def known_gap(scenario: str, fact: str) -> str:
    """The documented reason ``scenario`` does not reproduce ``fact``, or ``""``."""
    return KNOWN_GAPS.get((scenario, fact)) or KNOWN_GAPS.get(("*", fact), "")
