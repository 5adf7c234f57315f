#!/usr/bin/env node
// solc-front.js: makes the pinned npm `solc` package (solc-js, in Node) look like a native solc
// binary to foundry-compilers and to `forge build --use contracts/solc-front.js`.
//
// Supported command lines (everything else is rejected with exit status 2):
//   solc-front.js --version
//       prints `solc, the solidity compiler commandline interface` and `Version: <x.y.z+commit.h>`;
//       foundry-compilers parses the last non-empty stdout line.
//   solc-front.js [path flags] --standard-json
//       reads the Standard JSON input from stdin, compiles it with `require('solc').compile` and
//       writes the whole Standard JSON output to stdout. Compile errors are reported inside the
//       JSON (like native solc), and the exit status is 0 whenever JSON was written.
//
// Path flags (--allow-paths, --base-path, --include-path) are accepted and otherwise ignored, as
// foundry-compilers sends every source inline. --base-path and --include-path still feed the
// import callback, which reads a source solc asks for from disk as a fallback: relative to the
// base path (default: the working directory), each include path, and this file's directory.
'use strict';

const fs = require('fs');
const path = require('path');

// Flags that take a value (either `--flag value` or `--flag=value`).
const VALUE_FLAGS = new Set(['--allow-paths', '--base-path', '--include-path']);

function loadSolc() {
  // Always the copy pinned in this project's package.json, whatever the caller's cwd. The front
  // normally sits next to node_modules/; poolguard may also run a copy of it from the project's
  // .poolguard/ folder, hence the second place.
  const primary = path.join(__dirname, 'node_modules', 'solc');
  const fallback = path.join(__dirname, '..', 'node_modules', 'solc');
  if (!fs.existsSync(primary) && fs.existsSync(fallback)) return require(fallback);
  return require(primary);
}

function fail(message, status) {
  process.stderr.write(`solc-front: ${message}\n`);
  process.exitCode = status;
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [], unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(flag)) {
      let value;
      if (flag !== arg) {
        value = arg.slice(eq + 1);
      } else {
        value = argv[i + 1];
        i++;
      }
      if (value === undefined) continue;
      if (flag === '--base-path') opts.basePath = value;
      if (flag === '--include-path') opts.includePaths.push(value);
      // --allow-paths: ignored.
    } else if (arg === '--version') {
      opts.version = true;
    } else if (arg === '--standard-json') {
      opts.standardJson = true;
    } else if (arg.startsWith('-')) {
      // Other flags (e.g. --no-import-callback, --pretty-json): tolerated and ignored.
    } else {
      opts.unknown.push(arg);
    }
  }
  return opts;
}

// `0.8.28+commit.7893614a.Emscripten.clang` -> `0.8.28+commit.7893614a`; anything it does not
// recognise is passed through unchanged.
function shortVersion(full) {
  const m = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\+commit\.[0-9a-f]+)/.exec(full);
  return m ? m[1] : full;
}

function makeImportCallback(opts) {
  const cwd = process.cwd();
  const base = opts.basePath ? path.resolve(cwd, opts.basePath) : cwd;
  const roots = [base, ...opts.includePaths.map((p) => path.resolve(cwd, p)), cwd, __dirname];
  return function findImport(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : [...new Set(roots)].map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      try {
        if (fs.statSync(candidate).isFile()) {
          return { contents: fs.readFileSync(candidate, 'utf8') };
        }
      } catch (_) {
        // Not there; try the next root.
      }
    }
    return { error: `File not found: ${importPath} (searched ${candidates.join(', ')})` };
  };
}

// A Standard JSON output carrying one error, for failures outside the compiler proper.
function errorOutput(type, message) {
  return JSON.stringify({
    errors: [
      {
        component: 'general',
        formattedMessage: `${type}: ${message}\n`,
        message,
        severity: 'error',
        type,
      },
    ],
  });
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  if (opts.version) {
    let solc;
    try {
      solc = loadSolc();
    } catch (e) {
      fail(`cannot load npm solc from ${path.join(__dirname, 'node_modules')}: ${e.message}` +
        ' (run `npm ci` in that directory)', 1);
      return;
    }
    process.stdout.write('solc, the solidity compiler commandline interface\n' +
      `Version: ${shortVersion(solc.version())}\n`);
    return;
  }

  if (!opts.standardJson) {
    fail('only `--version` and `--standard-json` are supported ' +
      `(got: ${process.argv.slice(2).join(' ') || 'no arguments'})`, 2);
    return;
  }
  if (opts.unknown.length > 0) {
    fail(`unexpected arguments with --standard-json: ${opts.unknown.join(' ')}`, 2);
    return;
  }

  let input;
  try {
    input = await readStdin();
  } catch (e) {
    fail(`cannot read stdin: ${e.message}`, 1);
    return;
  }

  let output;
  try {
    const solc = loadSolc();
    output = solc.compile(input, { import: makeImportCallback(opts) });
  } catch (e) {
    output = errorOutput('InternalCompilerError', `solc-js failed: ${e && e.stack ? e.stack : e}`);
  }
  // Let Node flush stdout by itself: process.exit() could truncate a large output on a pipe.
  process.stdout.write(output);
}

main().catch((e) => fail(`unexpected failure: ${e && e.stack ? e.stack : e}`, 1));
