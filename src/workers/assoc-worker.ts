// Association worker (runs in a Piscina thread): receives raw bytes, decodes variants, regresses
// every phenotype and returns the formatted rows as typed arrays. Never touches streams or files.
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';
import { RowFormatter } from './rows.js';

const init = workerData as WorkerInit;
const formatter = new RowFormatter(init);

export default function handle(req: WorkerRequest): WorkerResponse {
  switch (req.kind) {
    case 'gen': {
      const res = formatter.gen(req.seq, new Uint8Array(req.buf, 0, req.length));
      if (res.kind !== 'rows') return res;
      // Transferred, not copied: the result arrays, and the chunk buffer for the reader to reuse
      // (a fresh 1 MB buffer a chunk meant page faults and a heap that kept growing).
      res.buf = req.buf;
      const list: ArrayBuffer[] = [req.buf, res.rank.buffer as ArrayBuffer, res.pos.buffer as ArrayBuffer];
      for (const p of res.phenos) list.push(p.text.buffer as ArrayBuffer, p.ends.buffer as ArrayBuffer, p.variant.buffer as ArrayBuffer, p.chi2.buffer as ArrayBuffer);
      return move({ [transferableSymbol]: list, [valueSymbol]: res } as unknown as Parameters<typeof move>[0]) as unknown as WorkerResponse;
    }
    case 'bgen':
      return formatter.bgen(req);
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
