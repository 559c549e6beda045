"""Desktop side of the heat pump firmware: simulator, plant model, deploy and host tools."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(REPO, "firmware")
if FIRMWARE not in sys.path:
    sys.path.insert(0, FIRMWARE)


def run_cli(main):
    """sys.exit(main()) for a command line tool, quiet when its reader goes away
    (`... | head`): no BrokenPipeError traceback (Python's documented way: what is
    left goes to /dev/null, exit status 1)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    sys.exit(code)
