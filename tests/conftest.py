"""Hypothesis profiles: "dev" (quick, the default locally) and "ci" (thorough, chosen when CI=true).

Neither sets a deadline: timing-driven failures would be flaky on a loaded 2-core CI machine.
Select one explicitly with HYPOTHESIS_PROFILE=dev|ci.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    derandomize=True,  # CI failures must reproduce; the search is still broad
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev"))
