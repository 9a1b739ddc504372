// Association worker (runs in a Piscina thread): receives raw bytes, decodes variants, regresses
// every phenotype and returns the formatted rows as typed arrays. Never touches streams or files.
import { workerData } from 'piscina';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';
import { RowFormatter } from './rows.js';

const init = workerData as WorkerInit;
const formatter = new RowFormatter(init);

export default function handle(req: WorkerRequest): WorkerResponse {
  switch (req.kind) {
    case 'gen':
      return formatter.gen(req.seq, new Uint8Array(req.buf, 0, req.length));
    case 'bgen':
      return formatter.bgen(req);
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
