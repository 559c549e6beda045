import os
import sys

import pytest
from hypothesis import HealthCheck, settings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for sub in ("firmware", "host_tests/upy", ""):
    path = os.path.join(REPO, sub)
    if path not in sys.path:
        sys.path.insert(0, path)

# Property tests: `make test` runs the default profile, `make test-long` many more,
# `make check` a few (every invariant still tried, in seconds).
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", max_examples=500, **_common)
settings.register_profile("long", max_examples=5000, **_common)
settings.register_profile("quick", max_examples=25, **_common)  # make check
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def mpy_path(tmp_path_factory):
    """[firmware, board-side tests] compiled to .mpy: the unix port's import path (it
    imports them as the board imports the firmware; the compiler's heap is not ours)."""
    from tools.device.mpy import compile_all

    out = tmp_path_factory.mktemp("upy-mpy")
    fw, tests = str(out / "firmware"), str(out / "upy")
    compile_all(fw)
    compile_all(tests, root=os.path.join(REPO, "host_tests", "upy"))
    return [fw, tests]
