// CommonJS entry for the Piscina workers. Piscina loads a worker file with require() first; on
// Node 20 require() of an ES module goes through the experimental require(esm) path, which was
// seen to abort natively while a worker started (V8 assertion in CreateRequiredModuleFacade, under
// tap's loader hooks). Requiring this CommonJS file and importing the ES module from it avoids
// that path entirely.
import type { WorkerRequest, WorkerResponse } from './protocol.js';

type Handler = (req: WorkerRequest) => WorkerResponse;
// Loaded as soon as the worker starts, not at its first task, so that module loading overlaps the
// main thread's reading of the first chunks (start-up differences were within noise at 157 samples).
const handler: Promise<Handler> = import('./assoc-worker.js').then((m: { default: Handler }) => m.default);
handler.catch(() => {}); // reported by the first task that awaits it

module.exports = async function run(req: WorkerRequest): Promise<WorkerResponse> {
  return (await handler)(req);
};
