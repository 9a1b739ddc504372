// Decoders keep their state in objects (issue 14): no module-level `let` in src/formats/, found by
// scanning every .ts file under it (a glob, not a list). The BGEN decoders' module scratch
// (formats/bgen/) is still to move into a BgenBlockDecoder: reported as todo until then.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './lib/helpers.js';

const dir = path.join(ROOT, 'src/formats');
const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

t.ok(files.length > 5, `${files.length} files under src/formats`);
for (const f of files) {
  const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
  const lets = lines.flatMap((l, i) => (/^(export\s+)?let\s/.test(l) ? [`${f}:${i + 1}: ${l.trim().slice(0, 60)}`] : []));
  const todo = f.startsWith(`bgen${path.sep}`) && lets.length > 0 ? 'BGEN decoders still keep module scratch: BgenBlockDecoder not done (issue 14)' : undefined;
  t.same(lets, [], `no module-level let in src/formats/${f}`, { todo });
}
