"""Run the test_* functions of one module, under MicroPython or CPython.

    node tools/upy_run.mjs --mount host_tests/upy:/upy host_tests/upy/run_module.py MODULE

Prints one line per test and exits 1 if any failed, so pytest can run the same
modules under the real MicroPython VM (see host_tests/test_micropython.py).
"""

import sys

from check import Skip


def main(name):
    mod = __import__(name)
    failed = skipped = 0
    names = sorted(n for n in dir(mod) if n.startswith("test_"))
    for n in names:
        try:
            getattr(mod, n)()
            print("PASS", name + "." + n)
        except Skip as e:
            skipped += 1
            print("SKIP", name + "." + n, "(%s)" % e)
        except Exception as e:  # report every failure, then fail the run
            failed += 1
            print("FAIL", name + "." + n)
            if hasattr(sys, "print_exception"):
                sys.print_exception(e)  # type: ignore[attr-defined]
            else:
                import traceback

                traceback.print_exc()
    print("%d passed, %d skipped, %d failed" % (len(names) - failed - skipped, skipped, failed))
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1]) else 0)
