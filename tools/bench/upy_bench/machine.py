"""A stand-in for the ESP32's `machine` module, so hal/esp32.py imports and runs in the VM.

Only the bench scripts see it (it sits in their folder, or in /lib of the board image
life.py boots). It holds no state beyond what Esp32HAL asks for: pin levels (also by
pin number in `Pin.levels`, what a relay's wire sees), and one fixed ADC reading per
pin that a script may set (`ADC.uv[pin_id] = microvolts`). An input reads what a script
put in `Pin.levels`, else high with the pull-up (a button not pressed), else low.
Reading it allocates nothing, like the real ADC.
"""


class Pin:
    IN = 1
    OUT = 3
    PULL_UP = 2
    PULL_DOWN = 4

    levels = {}  # pin id -> the level last driven (outputs) or read (inputs)

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        if value is None:  # an input: what its wire holds, else what its pull gives
            value = Pin.levels.get(id, 1 if pull == Pin.PULL_UP else 0)
        self.level = value
        Pin.levels[id] = value

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v
        Pin.levels[self.id] = v


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    uv = {}  # pin id -> the microvolts read_uv() returns (default 1.2 V: mid-range)

    def __init__(self, pin, atten=None):
        self.pin = pin.id

    def read_uv(self):
        return ADC.uv.get(self.pin, 1_200_000)


class WDT:
    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout

    def feed(self):
        pass


PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5


def reset_cause():
    return PWRON_RESET


def reset():
    raise SystemExit("machine.reset() (the stand-in cannot reset)")
