#!/usr/bin/env node
// Writes build-info.json (version, git commit, build time) at the package root, so an installed
// package, which has no .git, can still say which commit it was built from (`dosageflow --version`,
// PREFIX.log). Run by `npm run build`, `prepare` and `prepack`; outside a git checkout it keeps an
// existing file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let commit = null;
try {
  commit = execFileSync('git', ['-C', root, 'describe', '--always', '--dirty', '--abbrev=12', '--exclude', '*'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  /* not a git checkout */
}
const file = path.join(root, 'build-info.json');
if (commit === null && fs.existsSync(file)) process.exit(0);
fs.writeFileSync(file, JSON.stringify({ version: pkg.version, commit: commit ?? 'unknown', built: new Date().toISOString() }, null, 2) + '\n');
