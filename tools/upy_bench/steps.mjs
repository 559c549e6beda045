// Run a bench script under the MicroPython VM in steps, so the heap is collected between them.
//
//   node tools/upy_bench/steps.mjs [--heap BYTES] [--firmware DIR] [--mount HOST_DIR:VM_DIR]...
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
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "@micropython/micropython-webassembly-pyscript";
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function usage(msg) {
  process.stderr.write(`steps: ${msg}\nusage: node tools/upy_bench/steps.mjs [--heap BYTES] ` +
    `[--firmware DIR] [--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...\n`);
  process.exit(2);
}

let heap = 4 * 1024 * 1024;
let firmware = path.join(repo, "firmware");
const mounts = [];
const argv = process.argv.slice(2);
while (argv.length && argv[0].startsWith("--")) {
  const opt = argv.shift();
  const val = argv.shift();
  if (val === undefined) usage(`${opt} needs a value`);
  if (opt === "--heap") heap = parseInt(val, 10);
  else if (opt === "--firmware") firmware = path.resolve(val);
  else if (opt === "--mount") {
    const i = val.lastIndexOf(":");
    if (i < 1) usage(`--mount takes HOST_DIR:VM_DIR, not ${val}`);
    mounts.push([path.resolve(val.slice(0, i)), val.slice(i + 1)]);
  } else usage(`unknown option ${opt}`);
}
const script = argv.shift();
if (!script) usage("no script given");
if (!fs.existsSync(script)) usage(`no such script: ${script}`);
mounts.unshift([firmware, "/firmware"]);
mounts.push([path.dirname(path.resolve(script)), "/script"]);

let mod;
try {
  mod = await import(PKG);
} catch (e) {
  process.stderr.write(`steps: the MicroPython VM (${PKG}) is not installed: ` +
    `run 'npm ci' in the repository (make bench does it for you).\n${e.message}\n`);
  process.exit(3);
}

const mp = await mod.loadMicroPython({
  heapsize: heap,
  linebuffer: false,
  stdout: (b) => process.stdout.write(b),
  stderr: (b) => process.stderr.write(b),
});

function mkdirs(vmDir) {
  let cur = "";
  for (const part of vmDir.split("/").filter(Boolean)) {
    cur += "/" + part;
    try { mp.FS.mkdir(cur); } catch { /* exists */ }
  }
}

function copyTree(hostDir, vmDir) {
  mkdirs(vmDir);
  for (const ent of fs.readdirSync(hostDir, { withFileTypes: true })) {
    if (ent.name.startsWith(".") || ent.name === "__pycache__") continue;
    const src = path.join(hostDir, ent.name);
    const dst = vmDir + "/" + ent.name;
    if (ent.isDirectory()) copyTree(src, dst);
    else if (/\.(py|mpy|json)$/.test(ent.name)) mp.FS.writeFile(dst, fs.readFileSync(src));
  }
}

for (const [hostDir, vmDir] of mounts) {
  if (!fs.existsSync(hostDir)) usage(`no such folder to mount: ${hostDir}`);
  copyTree(hostDir, vmDir);
}

const vmScript = "/script/" + path.basename(script);
const pathList = ["/firmware", "/script", ...mounts.slice(1, -1).map((m) => m[1])];

function run(src) {
  try {
    mp.runPython(src);
  } catch (e) {
    // The VM's PythonError carries the Python traceback in its message.
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

run(`import sys\nsys.path[:0] = ${JSON.stringify(pathList)}\n` +
  `sys.argv[:] = ${JSON.stringify([vmScript, ...argv])}\n__name__ = "__main__"\n`);
// The script's own code at the top level: its globals stay in the VM's __main__.
run(`exec(compile(open(${JSON.stringify(vmScript)}).read(), ${JSON.stringify(vmScript)}, ` +
  `"exec"), globals())\n_more = "step" in globals()\n`);
while (mp.globals.get("_more")) run("_more = bool(step())\n");
