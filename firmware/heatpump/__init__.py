"""Heat pump controller firmware (MicroPython, also imports on CPython)."""
