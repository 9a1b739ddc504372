// Association worker (runs in a Piscina thread): receives raw bytes, decodes variants, regresses
// every phenotype and returns the formatted rows as typed arrays. Never touches streams or files.
import { createRequire } from 'node:module';
// Piscina's CommonJS build, which its worker script has half loaded already: import() of its ES
// wrapper cost every worker ~6 ms more at start-up.
const { move, transferableSymbol, valueSymbol, workerData } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
import type { WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';
import { RowFormatter } from './rows.js';
import { claimGenArenaPlace } from '../pipeline/gen-arena.js';

const init = workerData as WorkerInit;
// This worker's place in the shared .gen arena, if there is one left (a restarted worker has none:
// its chunks are then copied, as without an arena).
const arena = init.genArena;
const formatter = new RowFormatter(init, arena ? claimGenArenaPlace(arena) : null);

export default function handle(req: WorkerRequest): WorkerResponse {
  switch (req.kind) {
    case 'gen': {
      const b = req.slot !== undefined ? new Uint8Array(arena!.memory.buffer, req.slot, req.length) : new Uint8Array(req.buf!, 0, req.length);
      const res = formatter.gen(req.seq, b, req.layout);
      // The chunk buffer (or arena slot) goes back for the reader to reuse (a fresh 1 MB buffer a
      // chunk meant page faults and a main-thread heap that kept growing).
      if (res.kind === 'rows') {
        res.buf = req.buf;
        res.slot = req.slot;
      }
      return transferred(res);
    }
    case 'bgen': {
      const res = formatter.bgen(req);
      if (res.kind === 'rows') res.buf = req.buf; // back to the reader, as a .gen chunk's
      return transferred(res);
    }
    case 'vcf': {
      const res = formatter.vcf(req);
      if (res.kind === 'rows') res.buf = req.buf; // back to the reader, as a .gen chunk's
      return transferred(res);
    }
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}

/** The response with its arrays transferred, not copied. */
function transferred(res: WorkerResponse): WorkerResponse {
  if (res.kind !== 'rows') return res;
  const list: ArrayBuffer[] = [res.rank.buffer as ArrayBuffer, res.pos.buffer as ArrayBuffer];
  if (res.buf) list.push(res.buf);
  if (res.vcfHead) list.push(res.vcfHead.buffer as ArrayBuffer);
  if (res.vcfTail) list.push(res.vcfTail.buffer as ArrayBuffer);
  for (const p of res.phenos) list.push(p.text.buffer as ArrayBuffer, p.ends.buffer as ArrayBuffer, p.variant.buffer as ArrayBuffer, p.negLogP.buffer as ArrayBuffer);
  return move({ [transferableSymbol]: list, [valueSymbol]: res } as unknown as Parameters<typeof move>[0]) as unknown as WorkerResponse;
}
