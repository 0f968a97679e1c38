"""Hypothesis profiles: "dev" (quick, the default locally) and "ci" (thorough, chosen when CI=true).

Neither sets a deadline: timing-driven failures would be flaky on a loaded 2-core CI machine.
Select one explicitly with HYPOTHESIS_PROFILE=dev|ci. A third, "mutation", is what `make mutation` uses: the same
examples on every run (derandomized, no example database) so that a mutant's verdict reproduces, and no shrinking:
a mutant needs only the verdict, and shrinking the failure of a killed mutant took most of its time (over a minute
for some, ending as a timeout).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    derandomize=True,  # CI failures must reproduce; the search is still broad
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "mutation",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # the same examples; a failure is not shrunk
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev"))
