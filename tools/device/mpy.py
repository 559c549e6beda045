"""Compile every firmware file with mpy-cross: `python -m tools.device.mpy OUT_DIR`.

The output mirrors firmware/ (heatpump/x.py -> OUT_DIR/heatpump/x.mpy). boot.py and
main.py stay source on the board (MicroPython only runs them as .py), but they are
compiled too so a syntax error the board would meet is caught here.
"""

import os
import subprocess
import sys

from tools import FIRMWARE


def mpy_cross() -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    if not os.path.exists(exe):
        sys.exit("mpy-cross is missing: run 'make tools' (it comes from requirements.txt)")
    return exe


def firmware_sources(root: str = FIRMWARE) -> list[str]:
    """Every .py under firmware/, relative to it, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return found


def compile_all(out_dir: str, march: str | None = None, root: str = FIRMWARE) -> list[str]:
    """Compile every .py under root (firmware/ by default) into out_dir; return the
    .mpy paths written."""
    exe = mpy_cross()
    written = []
    for rel in firmware_sources(root):
        dst = os.path.join(out_dir, rel[:-3] + ".mpy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        # Written aside, then renamed: a reader in another process (the suite runs on
        # both cores) sees the old file or the new one, never half of one.
        tmp = f"{dst}.{os.getpid()}.tmp"
        # The source name a traceback shows: the path the board imports the .mpy by,
        # so the import's file name and it are one interned name, not two per module.
        cmd = [exe, "-o", tmp, "-s", rel[:-3] + ".mpy"]
        if march:
            cmd.append("-march=" + march)
        cmd.append(os.path.join(root, rel))
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            if os.path.exists(tmp):
                os.remove(tmp)
            sys.stderr.write(done.stderr or done.stdout)
            sys.exit("mpy-cross failed on " + os.path.relpath(os.path.join(root, rel)))
        os.replace(tmp, dst)
        written.append(dst)
    return written


def main() -> None:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("build", "mpy")
    written = compile_all(out_dir)
    total = sum(os.path.getsize(p) for p in written)
    print(f"mpy-cross: {len(written)} firmware files compiled into {out_dir} ({total} bytes)")


if __name__ == "__main__":
    main()
