"""What each config key means, one line each: hp.config_help() shows them.

Loaded only to show them and let go after (lazy.py), so the text is not in the heap
while the unit runs, nor while start-up or a change checks values (config_rules.py).
A test holds this table to the schema: every key has its line, and no other key.
"""

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

HELP = {
    "units": "display unit for temperatures and hp.set(setpoint=)",
    "min_off_s": "compressor rest before any restart (pressures equalise)",
    "min_run_s": "shortest compressor run (oil returns to the compressor)",
    "max_starts_per_hour": "thermostat starts of the compressor in any hour",
    "boot_delay_s": "after power-up: min_off_s plus a random 0..this",
    "start_dK": "a call starts this far beyond the setpoint",
    "stop_dK": "a call ends this far past the setpoint",
    "cycles_per_hour": "at half load (widens start/stop up to 2x; 0: fixed)",
    "changeover_dK": "auto: room this far on the other side changes over",
    "auto_min_mode_s": "auto: least time on one side before changing",
    "dry_overcool_dK": "dry: stop cooling this far below the setpoint",
    "fan_overrun_s": "indoor fan keeps running after cooling (dries the coil)",
    "cold_blow_dC": "heating: indoor fan waits for this coil temperature",
    "cold_blow_max_s": "heating: ... or at most this long",
    "freeze_dC": "E1: indoor coil below this while cooling ...",
    "freeze_s": "E1: ... for this long stops the compressor",
    "freeze_resume_dC": "E1: cooling resumes when the coil is above this",
    "freeze_trips": "E2: this many freezes in an hour lock cooling out",
    "overheat_dC": "E3: indoor coil at or above this stops heating",
    "overheat_resume_dC": "E3: heating resumes below this",
    "heat_lockout_dC": "E4: no heat pump below this outdoors (nor the unit's limit)",
    "heat_unlock_dC": "E4: and resumes above this",
    "cool_min_outdoor_dC": "E5: no cooling below this outdoors",
    "cool_max_outdoor_dC": "E6: no cooling above this outdoors",
    "valve_check_dK": "E8: coil must move this far from room after a start",
    "valve_check_s": "E8: ... within this long",
    "sensor_bad_readings": "S*: bad readings in a row that confirm a sensor fault",
    "sensor_jump_dK": "S*: a faster change is an impossible jump",
    "sensor_clear_s": "S*: sane readings for this long clear a sensor fault",
    "valve_shift_s": "defrost: compressor pause around each valve move",
    "max_early_stops": "E9: stops before min_run_s in an hour that lock out",
    "defrost_mode": "defrost on measured frost or timed",
    "defrost_interval_s": "timed: frozen-coil heating run between",
    "defrost_start_dC": "outdoor coil at or below this counts as frozen",
    "defrost_end_dC": "a defrost ends when the outdoor coil is here ...",
    "defrost_max_s": "... or after this long",
    "defrost_margin_dK": "demand: coil this far below its clean value",
    "defrost_fan": "indoor fan in defrost (low: aux heat too)",
    "aux_droop_dK": "aux heat: room this far below the setpoint ...",
    "aux_delay_s": "aux heat: ... this long, the heat pump running",
    "aux_max_outdoor_dC": "aux heat: never above this outdoors (heat pump able)",
    "aux_pause_dK": "power-up wait, defrost: aux heat with the room this far below",
    "watchdog_s": "watchdog: a loop stalled this long resets (at start)",
}
