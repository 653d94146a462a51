// Entry of the compute thread in the worker bundle (lib/platforms/worker-bundle.ts): the thread is
// plain JavaScript already, so tsx is registered only to load a TypeScript COMPUTE_MODULE that has
// no JavaScript build (COMPUTE_MODULE_JS, lib/platforms/compiled-compute-module.ts).
import { existsSync } from "node:fs";
import { workerData } from "node:worker_threads";
import type { ComputeThreadData } from "./compute-protocol.ts";
import { isTypeScriptPath, registerTypeScript } from "./typescript-support.ts";

const data = workerData as ComputeThreadData;
const built = data.compiledModule !== undefined && existsSync(data.compiledModule);
if (!built && isTypeScriptPath(data.module)) await registerTypeScript();
// Imported only now: loading the thread loads the COMPUTE_MODULE, which may need tsx.
await import("./compute-thread.ts");
