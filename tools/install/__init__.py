"""The installer's bench: sizing.py (is the unit big enough for the room), fit.py (a
unit's curves from its label), board_check.py (a board file's thermistor chain).
"""
