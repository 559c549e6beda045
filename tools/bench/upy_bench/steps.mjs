// Run a bench script under the MicroPython VM in steps, so the heap is collected between them.
//
//   node tools/bench/upy_bench/steps.mjs [--heap BYTES] [--firmware DIR] [--mount HOST_DIR:VM_DIR]...
//        SCRIPT.py [ARG]...
//
// Why not tools/upy_run.mjs: the npm VM (the webassembly port's "pyscript" variant) cannot
// scan the wasm stack, so gc.collect() inside a run only marks a collection as pending; it
// happens when control returns to JavaScript. A heap figure after gc.collect() is only true
// at the start of the next top-level call. So this runner executes SCRIPT at the top level
// (its globals persist), then calls its `step()` again and again while it returns a true
// value; each call starts on a collected heap.
//
// --firmware DIR is mounted at /firmware (default: the repository's firmware/, as source;
// the bench mounts the mpy-cross output to import .mpy as the board does). The script's own
// folder is mounted at /script. Both are put first on sys.path. Files copied: .py, .mpy,
// .json. Exit code: 0 when done, 1 on a Python exception (traceback on stderr), 2 on a usage
// error, 3 when the VM is missing.
import { parseArgs, startVM, usageExit } from "../../upy_vm.mjs";

const usage = usageExit("steps", "node tools/bench/upy_bench/steps.mjs [--heap BYTES] " +
  "[--firmware DIR] [--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...");
const cmd = parseArgs(process.argv.slice(2), ["--heap", "--firmware", "--mount"], usage);
const { mp, vmScript } = await startVM({ who: "steps", files: /\.(py|mpy|json)$/,
  usage, ...cmd });

function run(src) {
  try {
    mp.runPython(src);
  } catch (e) {
    // The VM's PythonError carries the Python traceback in its message.
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

run(`__name__ = "__main__"\n`);
// The script's own code at the top level: its globals stay in the VM's __main__.
run(`exec(compile(open(${JSON.stringify(vmScript)}).read(), ${JSON.stringify(vmScript)}, ` +
  `"exec"), globals())\n_more = "step" in globals()\n`);
while (mp.globals.get("_more")) run("_more = bool(step())\n");
