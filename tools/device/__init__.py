"""The board at the end of a cable: deploy.py (`make deploy`), mpy.py (mpy-cross), hpctl.py
(a shell's commands to a running unit; the `hpctl` script runs it).
"""
