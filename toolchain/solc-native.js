#!/usr/bin/env node
// A native-solc-compatible front end for solcjs (the npm `solc` package).
//
// ape-solidity (through py-solc-x), slither/crytic-compile and forge all expect a
// native `solc` executable; none of them can download one on an offline machine.
// This script answers the subset of the native command line that they use:
//
//   solc --version
//   solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B]
//   solc FILE... [REMAP=TARGET]... --combined-json abi,bin,... [--optimize] ...
//
// NOTE: never call process.exit() after writing stdout: Node drops everything past
// 64-128 KiB of a piped stdout. We set process.exitCode and return instead.
"use strict";

const fs = require("fs");
const path = require("path");

const SOLC_DIR = process.env.DOMACROSS_SOLCJS_DIR || path.join(__dirname, "..", "node_modules", "solc");

function loadSolc() {
  try {
    return require(SOLC_DIR);
  } catch (err) {
    fail(`cannot load solcjs from ${SOLC_DIR}: ${err.message}\nRun \`npm ci\` in the project (or \`make setup\`).`);
    return null;
  }
}

function fail(message, code = 1) {
  process.stderr.write(`solc-native: ${message}\n`);
  process.exitCode = code;
}

function parseArgs(argv) {
  const opts = { files: [], remappings: [], basePath: null, includePaths: [], allowPaths: [], flags: new Set(), values: {} };
  const withValue = new Set([
    "--base-path", "--include-path", "--allow-paths", "--combined-json", "--optimize-runs",
    "--evm-version", "--output-dir", "-o",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name = arg;
    let value = null;
    if (arg.startsWith("--") && arg.includes("=")) {
      name = arg.slice(0, arg.indexOf("="));
      value = arg.slice(arg.indexOf("=") + 1);
    }
    if (withValue.has(name)) {
      if (value === null) value = argv[++i];
      if (value === undefined) throw new Error(`option ${name} needs a value`);
      if (name === "--base-path") opts.basePath = value;
      else if (name === "--include-path") opts.includePaths.push(value);
      else if (name === "--allow-paths") opts.allowPaths.push(...value.split(",").filter(Boolean));
      else opts.values[name] = value;
    } else if (arg.startsWith("-")) {
      opts.flags.add(arg);
    } else if (arg.includes("=")) {
      opts.remappings.push(arg);
    } else {
      opts.files.push(arg);
    }
  }
  return opts;
}

// Resolves imports the way native solc does: the base path first, then include paths.
function makeImportCallback(opts) {
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  return function findImport(importPath) {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.resolve(r, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, "utf8") };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
}

function readStdin() {
  return fs.readFileSync(0, "utf8");
}

function standardJson(solc, opts) {
  const input = readStdin();
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  process.stdout.write(output);
}

const COMBINED = {
  abi: ["abi"],
  bin: ["evm.bytecode.object"],
  "bin-runtime": ["evm.deployedBytecode.object"],
  srcmap: ["evm.bytecode.sourceMap"],
  "srcmap-runtime": ["evm.deployedBytecode.sourceMap"],
  hashes: ["evm.methodIdentifiers"],
  metadata: ["metadata"],
  userdoc: ["userdoc"],
  devdoc: ["devdoc"],
  "storage-layout": ["storageLayout"],
};

function pick(obj, dotted) {
  return dotted.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), obj);
}

// The legacy `FILE... --combined-json` route (crytic-compile's "solc" platform).
function combinedJson(solc, opts) {
  const fields = opts.values["--combined-json"].split(",");
  const unknown = fields.filter((f) => f !== "ast" && !(f in COMBINED));
  if (unknown.length) {
    fail(`unsupported --combined-json field(s): ${unknown.join(", ")}`);
    return;
  }
  const sources = {};
  for (const file of opts.files) {
    sources[file] = { content: fs.readFileSync(file, "utf8") };
  }
  const selection = fields.flatMap((f) => COMBINED[f] || []);
  const settings = {
    remappings: opts.remappings,
    outputSelection: { "*": { "*": selection, "": fields.includes("ast") ? ["ast"] : [] } },
  };
  if (opts.flags.has("--optimize")) {
    settings.optimizer = { enabled: true, runs: Number(opts.values["--optimize-runs"] || 200) };
  }
  if (opts.values["--evm-version"]) settings.evmVersion = opts.values["--evm-version"];
  if (opts.flags.has("--via-ir")) settings.viaIR = true;

  const input = { language: "Solidity", sources, settings };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: makeImportCallback(opts) }));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  for (const e of out.errors || []) process.stderr.write(`${e.formattedMessage || e.message}\n`);
  if (errors.length) {
    process.exitCode = 1;
    return;
  }
  const contracts = {};
  for (const [file, byName] of Object.entries(out.contracts || {})) {
    for (const [name, c] of Object.entries(byName)) {
      const entry = {};
      for (const f of fields) {
        if (f === "ast") continue;
        const v = pick(c, COMBINED[f][0]);
        entry[f] = f === "metadata" && typeof v !== "string" ? JSON.stringify(v) : v;
      }
      contracts[`${file}:${name}`] = entry;
    }
  }
  const result = { contracts, version: solc.version() };
  if (fields.includes("ast")) {
    result.sourceList = Object.keys(out.sources || {});
    result.sources = {};
    for (const [file, s] of Object.entries(out.sources || {})) result.sources[file] = { AST: s.ast };
  }
  process.stdout.write(JSON.stringify(result));
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    fail(err.message);
    return;
  }
  if (opts.flags.has("--version") || opts.flags.has("-v")) {
    // NOTE: the generated `.solc/solc-v<version>` launcher answers --version itself,
    // without paying the ~0.7 s soljson load; this path serves direct callers.
    const solc = loadSolc();
    if (!solc) return;
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  const solc = loadSolc();
  if (!solc) return;
  if (opts.flags.has("--standard-json")) {
    standardJson(solc, opts);
  } else if (opts.values["--combined-json"]) {
    combinedJson(solc, opts);
  } else {
    fail("only --version, --standard-json and FILE... --combined-json are supported (this is solcjs behind a native-compatible front end)");
  }
}

main();
