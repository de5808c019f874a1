"""Hypothesis profiles: no per-example deadline anywhere (the suite runs two at a time on loaded
2-core machines, where a 200 ms deadline flakes). ``ci`` (the default) keeps each test's own
example counts; ``long`` multiplies nothing but lifts the health checks for long runs
(``HYPOTHESIS_PROFILE=long``)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None)
settings.register_profile(
    "long", deadline=None, max_examples=2000, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
