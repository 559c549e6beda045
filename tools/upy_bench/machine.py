"""A stand-in for the ESP32's `machine` module, so hal/esp32.py imports and runs in the VM.

Only the bench scripts see it (it sits in their folder). It holds no state beyond what
Esp32HAL asks for: pin levels, and one fixed ADC reading per pin that a script may set
(`ADC.uv[pin_id] = microvolts`). Reading it allocates nothing, like the real ADC.
"""


class Pin:
    IN = 1
    OUT = 3
    PULL_UP = 2
    PULL_DOWN = 4

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        self.level = 0 if value is None else value

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v


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
