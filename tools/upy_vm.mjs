// The MicroPython VM (the npm WebAssembly port) as the desktop runners start it: their
// shared command line, the VM loaded, host folders copied into its filesystem, sys.path
// and sys.argv set. Used by tools/upy_run.mjs and tools/bench/upy_bench/steps.mjs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "@micropython/micropython-webassembly-pyscript";
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// A function that prints "WHO: MSG" and the usage line to stderr, then exits 2.
export function usageExit(who, usageLine) {
  return (msg) => {
    process.stderr.write(`${who}: ${msg}\nusage: ${usageLine}\n`);
    process.exit(2);
  };
}

// Parse [--heap BYTES] [--firmware DIR] [--mount HOST_DIR:VM_DIR]... SCRIPT.py [ARG]...
// (`options`: the options this runner takes). Returns { heap, mounts, script, args }:
// mounts are [hostDir, vmDir] pairs, firmware/ at /firmware first (the repository's unless
// --firmware), then each --mount, then the script's own folder at /script.
export function parseArgs(argv, options, usage) {
  let heap = 4 * 1024 * 1024;
  let firmware = path.join(REPO, "firmware");
  const mounts = [];
  argv = argv.slice();
  while (argv.length && argv[0].startsWith("--")) {
    const opt = argv.shift();
    const val = argv.shift();
    if (val === undefined) usage(`${opt} needs a value`);
    if (!options.includes(opt)) usage(`unknown option ${opt}`);
    if (opt === "--heap") heap = parseInt(val, 10);
    else if (opt === "--firmware") firmware = path.resolve(val);
    else {
      const i = val.lastIndexOf(":");
      if (i < 1) usage(`--mount takes HOST_DIR:VM_DIR, not ${val}`);
      mounts.push([path.resolve(val.slice(0, i)), val.slice(i + 1)]);
    }
  }
  const script = argv.shift();
  if (!script) usage("no script given");
  if (!fs.existsSync(script)) usage(`no such script: ${script}`);
  mounts.unshift([firmware, "/firmware"]);
  mounts.push([path.dirname(path.resolve(script)), "/script"]);
  return { heap, mounts, script, args: argv };
}

// Load the VM (exit 3, saying how to install it, when the npm package is missing), copy
// each mount's files whose names match `files` into it (usage() for a missing folder), and
// run the prelude: the mounts first on sys.path, sys.argv = [the script's VM path, ...args].
// Returns { mp, vmScript }.
export async function startVM({ who, heap, mounts, script, args, files, usage }) {
  let mod;
  try {
    mod = await import(PKG);
  } catch (e) {
    process.stderr.write(`${who}: the MicroPython VM (${PKG}) is not installed: ` +
      `run 'npm ci' in the repository (make test and make bench do it for you).\n` +
      `${e.message}\n`);
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
      const dst = (vmDir === "/" ? "" : vmDir) + "/" + ent.name;
      if (ent.isDirectory()) copyTree(src, dst);
      else if (files.test(ent.name)) mp.FS.writeFile(dst, fs.readFileSync(src));
    }
  }

  for (const [hostDir, vmDir] of mounts) {
    if (!fs.existsSync(hostDir)) usage(`no such folder to mount: ${hostDir}`);
    copyTree(hostDir, vmDir);
  }

  const vmScript = "/script/" + path.basename(script);
  const pathList = ["/firmware", "/script", ...mounts.slice(1, -1).map((m) => m[1])];
  mp.runPython(`import sys\nsys.path[:0] = ${JSON.stringify(pathList)}\n` +
    `sys.argv[:] = ${JSON.stringify([vmScript, ...args])}\n`);
  return { mp, vmScript };
}
