// Run a Python script under the real MicroPython VM (the npm WebAssembly port).
//
//   node tools/upy_run.mjs [--heap BYTES] [--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...
//
// firmware/ is always mounted at /firmware and put first on sys.path, then the
// script's own folder (mounted at /script). sys.argv is [SCRIPT, ARG...].
// Exit code: 0 when the script finishes, 1 on an uncaught Python exception
// (its traceback goes to stderr), 2 on a usage error, 3 when the VM is missing.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "@micropython/micropython-webassembly-pyscript";
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function usage(msg) {
  process.stderr.write(`upy_run: ${msg}\nusage: node tools/upy_run.mjs [--heap BYTES] ` +
    `[--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...\n`);
  process.exit(2);
}

let heap = 4 * 1024 * 1024;
const mounts = [[path.join(repo, "firmware"), "/firmware"]];
const argv = process.argv.slice(2);
while (argv.length && argv[0].startsWith("--")) {
  const opt = argv.shift();
  const val = argv.shift();
  if (val === undefined) usage(`${opt} needs a value`);
  if (opt === "--heap") heap = parseInt(val, 10);
  else if (opt === "--mount") {
    const i = val.lastIndexOf(":");
    if (i < 1) usage(`--mount takes HOST_DIR:VM_DIR, not ${val}`);
    mounts.push([path.resolve(val.slice(0, i)), val.slice(i + 1)]);
  } else usage(`unknown option ${opt}`);
}
const script = argv.shift();
if (!script) usage("no script given");
if (!fs.existsSync(script)) usage(`no such script: ${script}`);
mounts.push([path.dirname(path.resolve(script)), "/script"]);

let mod;
try {
  mod = await import(PKG);
} catch (e) {
  process.stderr.write(`upy_run: the MicroPython VM (${PKG}) is not installed: ` +
    `run 'npm ci' in the repository (make test does it for you).\n${e.message}\n`);
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
    else if (/\.(py|json|csv|txt)$/.test(ent.name)) mp.FS.writeFile(dst, fs.readFileSync(src));
  }
}

for (const [hostDir, vmDir] of mounts) {
  if (!fs.existsSync(hostDir)) usage(`no such folder to mount: ${hostDir}`);
  copyTree(hostDir, vmDir);
}

const vmScript = "/script/" + path.basename(script);
const args = [vmScript, ...argv];
const pathList = ["/firmware", "/script", ...mounts.slice(1, -1).map((m) => m[1])];
const prelude = `import sys\nsys.path[:0] = ${JSON.stringify(pathList)}\n` +
  `sys.argv[:] = ${JSON.stringify(args)}\n`;
mp.runPython(prelude);

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
