#!/usr/bin/env node
// forge-variant.js: runs forge on a broken variant of the suite, materialized the way poolguard does it
// (src/variants.rs `Variant::materialize`): a copy of src/ and test/ (minus test/findings/) and the config
// files, node_modules linked, then each exact-text edit of contracts/variants/<name>.json applied (each
// `find` must occur exactly once).
//
//   node script/forge-variant.js <variant> [--dir DIR] [--] [forge test arguments...]
//
// Run from contracts/. The copy goes to DIR (default: $TMPDIR/poolguard-forge-variants/<variant>) and is
// reused, so forge's compile cache there survives between runs. Without forge arguments it runs
//   forge test --use ./solc-front.js --offline --match-contract PoolguardInvariant
// in the copy, with the forge binary npm installed here (optional dependency @foundry-rs/forge-linux-amd64).
// Exit status: forge's (non-zero when an invariant fails, which is what a variant should make happen).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');

function usage(message) {
  if (message) process.stderr.write(`forge-variant: ${message}\n`);
  process.stderr.write('usage: node script/forge-variant.js <variant> [--dir DIR] [--] [forge test args...]\n');
  process.exit(2);
}

function copyDir(from, to, skip) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip && skip(entry.name)) continue;
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(a, b);
    else if (entry.isFile()) fs.copyFileSync(a, b);
  }
}

function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args[0].startsWith('-')) usage('name a variant (see variants/)');
  const name = args.shift();
  let dir = path.join(os.tmpdir(), 'poolguard-forge-variants', name);
  if (args[0] === '--dir') {
    args.shift();
    if (!args[0]) usage('--dir needs a value');
    dir = path.resolve(args.shift());
  }
  if (args[0] === '--') args.shift();
  const forgeArgs = args.length > 0
    ? args
    : ['test', '--use', './solc-front.js', '--offline', '--match-contract', 'PoolguardInvariant'];

  const spec = path.join(root, 'variants', `${name}.json`);
  if (!fs.existsSync(spec)) usage(`no variant ${spec}`);
  const variant = JSON.parse(fs.readFileSync(spec, 'utf8'));

  fs.rmSync(path.join(dir, 'src'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'test'), { recursive: true, force: true });
  copyDir(path.join(root, 'src'), path.join(dir, 'src'));
  if (fs.existsSync(path.join(root, 'test'))) {
    copyDir(path.join(root, 'test'), path.join(dir, 'test'), (n) => n === 'findings');
  }
  for (const file of ['foundry.toml', 'remappings.txt', 'package.json', 'package-lock.json', 'solc-front.js']) {
    const from = path.join(root, file);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dir, file));
  }
  const link = path.join(dir, 'node_modules');
  if (!fs.existsSync(link)) fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), link);

  for (const edit of variant.edits) {
    const file = path.join(dir, edit.file);
    const text = fs.readFileSync(file, 'utf8');
    const count = text.split(edit.find).length - 1;
    if (count !== 1) {
      process.stderr.write(`forge-variant: ${name}: ${edit.file}: the text to replace occurs ${count} times\n`);
      process.exit(2);
    }
    fs.writeFileSync(file, text.replace(edit.find, () => edit.replace));
  }

  const forge = path.join(root, 'node_modules', '@foundry-rs', 'forge-linux-amd64', 'bin', 'forge');
  process.stderr.write(`forge-variant: ${name} (${variant.invariant}) in ${dir}\n`);
  const run = spawnSync(fs.existsSync(forge) ? forge : 'forge', forgeArgs, { cwd: dir, stdio: 'inherit' });
  if (run.error) {
    process.stderr.write(`forge-variant: cannot run forge: ${run.error.message}\n`);
    process.exit(2);
  }
  process.exit(run.status === null ? 1 : run.status);
}

main();
