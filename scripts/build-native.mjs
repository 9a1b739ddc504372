// npm's install step: builds the optional native inflate (native/deflate.c against the system
// libdeflate, docs/decisions/0303-native-libdeflate.md) with npm's own node-gyp. It never fails the
// install: without libdeflate's header or a compiler, dosageflow uses Node's zlib (the same results).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const note = (why) => console.error(`dosageflow: native libdeflate inflate not built (${why}); Node's zlib is used instead (same results, slower on BGEN and BGZF input)`);

function nodeGyp() {
  // npm sets npm_config_node_gyp for lifecycle scripts; otherwise the copy bundled with npm.
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  return candidates.find((p) => p && existsSync(p));
}

if (process.env.DOSAGEFLOW_NO_NATIVE_BUILD) {
  note('DOSAGEFLOW_NO_NATIVE_BUILD is set');
} else if (!['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'].some((h) => existsSync(h))) {
  note('libdeflate.h not found: on Debian/Ubuntu `apt-get install libdeflate-dev`, then `npm rebuild dosageflow` or `npm install`');
} else {
  const gyp = nodeGyp();
  if (!gyp) note('node-gyp not found');
  else {
    // Node's own headers (a distribution's /usr/include/node) spare node-gyp a download; npm passes its nodedir setting itself.
    const prefix = join(dirname(process.execPath), '..');
    const args = [gyp, 'rebuild', '--release'];
    if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) note(`node-gyp failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no message'}`);
  }
}
