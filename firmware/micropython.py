"""The desktop's stand-in for MicroPython's built-in `micropython` module: const().

The firmware imports const as the board's MicroPython wants it (`from micropython
import const`: there the compiler folds each constant into the code). CPython finds
this file instead, since firmware/ is on its import path. It is not deployed
(tools.device.deploy copies heatpump/), and a MicroPython always takes its built-in module
before a file of the same name.
"""


def const(x):
    return x
