"""Hardware abstraction: the only place the firmware meets pins.

Two implementations with one contract (docs/design-notes.md, "The HAL contract"):
`esp32.Esp32HAL(board)` on machine.ADC/Pin/WDT, and `sim.SimHAL(board, ...)` with
no machine import, for the simulator and the tests. Both provide:

    board                     the validated heatpump.board.Board
    ticks_ms()                the clock (wraps at 2**30 ms, like the board's)
    read_adc(sensor) -> int   mV at the thermistor's pin, mean of board.adc["samples"]
    read_input(name) -> bool  logical state (True = active); ValueError if not wired
    set_relay(name, on)       logical on/off; the pin level follows the board's polarity;
                              ValueError naming the relay if the board has none
    relay(name) -> bool       the logical state last written
    all_relays_off()          every relay OFF (the way out of any failure)
    start_watchdog(timeout_ms), feed_watchdog()
    random_ms(max_ms) -> int  in [0, max_ms]; seeded in the simulator
    reset_cause() -> str      "power on", "hard reset", "watchdog", "deep sleep", "soft reset"
    reset()                   reset the board (the sim counts it in `resets` and returns)

Nothing here imports either implementation: importing esp32 needs `machine`.
"""
