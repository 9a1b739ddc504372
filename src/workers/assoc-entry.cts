// CommonJS entry for the Piscina workers. Piscina loads a worker file with require() first; on
// Node 20 require() of an ES module goes through the experimental require(esm) path, which was
// seen to abort natively while a worker started (V8 assertion in CreateRequiredModuleFacade, under
// tap's loader hooks). Requiring this CommonJS file and importing the ES module from it avoids
// that path entirely.
import type { WorkerRequest, WorkerResponse } from './protocol.js';

type Handler = (req: WorkerRequest) => WorkerResponse;
let handler: Promise<Handler> | undefined;

module.exports = async function run(req: WorkerRequest): Promise<WorkerResponse> {
  handler ??= import('./assoc-worker.js').then((m: { default: Handler }) => m.default);
  return (await handler)(req);
};
