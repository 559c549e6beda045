import os
import sys

from hypothesis import HealthCheck, settings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for sub in ("firmware", "host_tests/upy", ""):
    path = os.path.join(REPO, sub)
    if path not in sys.path:
        sys.path.insert(0, path)

# Property tests: `make test` runs the default profile, `make test-long` many more.
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", max_examples=500, **_common)
settings.register_profile("long", max_examples=5000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
