"""What each fault code means, in a line a person reads at the REPL (hp.status(),
hp.faults()) and the README's table repeats. Loaded when shown (lazy.py): the tick
works with codes and indices only (faults.py).
"""

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

TEXT = {
    "E1": "indoor coil freeze: cooling stopped, indoor fan on until the coil thaws",
    "E2": "cooling locked out: the coil froze too often in an hour (hp.clear() releases)",
    "E3": "indoor coil overheat: heating stopped until the coil cools",
    "E4": "heating locked out: too cold outdoors for the heat pump (aux heat if fitted)",
    "E5": "cooling refused: too cold outdoors",
    "E6": "cooling refused: too hot outdoors",
    "E7": "condensate pan full: cooling and dry stopped until it drains",
    "E8": "reversing valve stuck: the coil did not follow after a start (hp.clear() releases)",
    "S1": "room sensor fault",
    "S2": "indoor coil sensor fault",
    "S3": "outdoor sensor fault",
    "S4": "outdoor coil sensor fault",
    "S5": "supply air sensor fault",
    "C1": "a file on flash was corrupt or held a refused value: only that part is at its"
    " default, the bad file kept aside (hp.log() says which)",
    "D1": "defrost not clearing: defrosts keep ending at their time limit or aborting",
    "A1": "the app crashed: every relay OFF, then restarted (hp.log() has the error)",
    "A2": "the watchdog reset the board: the control loop had stalled",
    "A3": "the supervisor stopped the compressor: a defrost, self-test or hold step ran past"
    " its maximum",
    "A4": "compressor locked out: repeated watchdog or crash resets (hp.clear() or 1 h of"
    " running without one releases)",
    "E9": "compressor locked out: stopped early too often in an hour (hp.clear() or 1 h releases)",
}

# What a technician checks when the code stops a run (the self-test says it), by code;
# a code without one: its TEXT.
HINT = {
    "E1": "the indoor coil froze: check the indoor fan runs, the filter and the coil are clean",
    "E2": "the indoor coil froze repeatedly: check the indoor fan, the filter, the charge",
    "E3": "the indoor coil overheated: check the indoor fan runs and the filter is clean",
    "E4": 'too cold outdoors for the heat pump: run hp.selftest(modes="cool") on a warmer day',
    "E5": 'too cold outdoors to cool: run hp.selftest(modes="heat")',
    "E6": "too hot outdoors to cool",
    "E7": "the condensate pan is full: check the drain outlet is clear, the unit tilts "
    "toward the outside, and the float switch's wiring",
    "E8": "the reversing valve did not follow: check the valve's wiring and the board "
    'file\'s reversing_valve ("O"/"B")',
}


def hint(code):
    """What to check for code: its HINT, else what it means."""
    return HINT.get(code) or TEXT.get(code, "")
