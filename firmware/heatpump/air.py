"""The sequencer's air side: the indoor fan's speed taps, the outdoor fan, aux heat.

The sequencer owns it and calls it once a tick (apply()), after its compressor's stop
and valve and before its start, so with the sequencer it is the only writer of
relays. Fans: the indoor fan runs with the compressor when the sequencer says its air
may blow (cooling, or heating past anti-cold-blow), for fan_overrun_s after cooling or
aux heat stops, and whenever the user or a protection asks; speed taps break before
they make (never two taps on, in the order the relays are written). Aux heat runs with
the indoor fan, at the lowest tap in a defrost step. The outdoor fan runs with the
compressor. On a shared-motor board one motor moves both air streams, so in heating
with a cold coil it runs at the lowest tap (the outdoor coil needs air) instead of
stopping.

View: the other parts read only (read-only) `tap`, `aux_on`, and, fixed when it is
built, `speeds`, `taps`, `has_outdoor_fan`, `shared_fan`. host_tests/test_part_views.py
holds every module to this.
"""

# Speed names (config.SPEEDS) and the tap relay of each.
_TAP_RELAYS = (
    ("low", "fan_indoor_low"),
    ("medium", "fan_indoor_med"),
    ("high", "fan_indoor_high"),
)


class Air:
    def __init__(self, hal, board, cfg):
        self.hal = hal
        has = board.has_relay
        self.shared_fan = bool(board.shared_fan_motor)
        self.has_outdoor_fan = has("fan_outdoor") and not self.shared_fan
        self.has_aux = has("aux_heat")
        taps = []
        speeds = []
        for speed, relay in _TAP_RELAYS:
            if has(relay):
                taps.append(relay)
                speeds.append(speed)
        if not taps:
            taps.append("fan_indoor")  # one speed: call it high
            speeds.append("high")
        self.taps = tuple(taps)  # indoor fan relays, slowest first
        self.speeds = tuple(speeds)  # the speed names this board offers
        self.tap = 0  # indoor fan: 0 off, k = taps[k - 1] on
        self.fan_out_on = False  # the outdoor fan relay
        self.aux_on = False  # the aux heat relay
        self.overrun_ms = 0  # indoor fan run-on left ...
        self.overrun_tap = 0  # ... at this tap
        self.configure(cfg)

    def configure(self, cfg):
        self.overrun_set_ms = cfg["fan_overrun_s"] * 1000
        self.defrost_tap = 1 if cfg["defrost_fan"] == "low" else 0

    def age(self, dt_ms):
        t = self.overrun_ms - dt_ms
        self.overrun_ms = t if t > 0 else 0

    def run_on(self):
        """The indoor fan runs on for fan_overrun_s at its tap (a cooling run stopped)."""
        self.overrun_ms = self.overrun_set_ms
        self.overrun_tap = self.tap

    def apply(self, on, blow, defrost, drip, level, fan_on, aux_want):
        """Write the air side's relays for this tick. on: the compressor runs (or starts
        now); blow: its indoor air may blow (cooling, or a warm coil in heating);
        defrost: a defrost step; drip: the valve-shift pause after its melt; level: the
        user's speed as a tap (1 = slowest); fan_on: the indoor fan runs without the
        compressor; aux_want: aux heat. Aux heat goes off first (its fan runs on), then
        the fans, then aux heat on."""
        # In a defrost step aux heat needs the indoor fan, and a shared motor would turn
        # the outdoor fan with it: no aux heat in defrost or its drip there. Otherwise it may run
        # beside a heating compressor that cannot hold the room (aux.py).
        aux = aux_want and self.has_aux and not ((defrost or drip) and self.shared_fan)
        if self.aux_on and not aux:
            self.aux_on = False
            self.hal.set_relay("aux_heat", False)
            self.run_on()  # carry the element's heat away
        out = False
        if defrost:
            # Outdoor fan off (the heat goes into the ice); indoor fan off or, by config,
            # at its lowest tap; never on a shared motor (it would turn the outdoor fan).
            tap = 0 if self.shared_fan else self.defrost_tap
        elif drip:
            tap = 0  # the coil drips: fans off
        elif on:
            out = True
            tap = level if blow else 0
        else:
            tap = level if fan_on else 0
            if self.overrun_ms and tap < self.overrun_tap:
                tap = self.overrun_tap
        if aux:
            # aux heat never without air: the user's speed, the lowest tap in defrost
            low = 1 if defrost or drip else level
            if tap < low:
                tap = low
        if self.shared_fan and out and tap == 0:
            tap = 1  # one motor for both coils: the outdoor coil needs air
        self._fans(tap, out)
        if aux and not self.aux_on:
            self.aux_on = True
            self.hal.set_relay("aux_heat", True)

    def _fans(self, tap, out):
        n = len(self.taps)
        if tap > n:
            tap = n
        if tap != self.tap:
            if self.tap:
                self.hal.set_relay(self.taps[self.tap - 1], False)  # break ...
            if tap:
                self.hal.set_relay(self.taps[tap - 1], True)  # ... before make
            self.tap = tap
        if self.has_outdoor_fan and out != self.fan_out_on:
            self.fan_out_on = out
            self.hal.set_relay("fan_outdoor", out)

    def all_off(self):
        """Aux heat and every fan off (after the compressor: the sequencer's all_off)."""
        hal = self.hal
        if self.has_aux:
            hal.set_relay("aux_heat", False)
        for relay in self.taps:
            hal.set_relay(relay, False)
        if self.has_outdoor_fan:
            hal.set_relay("fan_outdoor", False)
        self.fan_out_on = self.aux_on = False
        self.tap = 0
