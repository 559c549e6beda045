// Run a Python script under the real MicroPython VM (the npm WebAssembly port).
//
//   node tools/upy_run.mjs [--heap BYTES] [--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...
//
// firmware/ is always mounted at /firmware and put first on sys.path, then the
// script's own folder (mounted at /script). sys.argv is [SCRIPT, ARG...].
// Exit code: 0 when the script finishes, 1 on an uncaught Python exception
// (its traceback goes to stderr), 2 on a usage error, 3 when the VM is missing.
import { parseArgs, startVM, usageExit } from "./upy_vm.mjs";

const usage = usageExit("upy_run", "node tools/upy_run.mjs [--heap BYTES] " +
  "[--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...");
const cmd = parseArgs(process.argv.slice(2), ["--heap", "--mount"], usage);
const { mp, vmScript } = await startVM({ who: "upy_run", files: /\.(py|json|csv|txt)$/,
  usage, ...cmd });

// Run the script as __main__ and print a real traceback on failure.
const runner = `
import sys
_src = open(${JSON.stringify(vmScript)}).read()
try:
    exec(compile(_src, ${JSON.stringify(vmScript)}, "exec"), {"__name__": "__main__"})
    _rc = 0
except SystemExit as e:
    _rc = e.args[0] if e.args and isinstance(e.args[0], int) else (0 if not e.args else 1)
except BaseException as e:
    sys.print_exception(e)
    _rc = 1
`;
try {
  mp.runPython(runner);
} catch (e) {
  process.stderr.write(`upy_run: the VM failed: ${e.message}\n`);
  process.exit(1);
}
process.exitCode = mp.globals.get("_rc");
