// Entry of the compute thread in the worker bundle (lib/platforms/worker-bundle.ts): the thread is
// plain JavaScript already, so tsx is registered only to load a TypeScript COMPUTE_MODULE.
import { workerData } from "node:worker_threads";
import type { ComputeThreadData } from "./compute-protocol.ts";
import { isTypeScriptPath, registerTypeScript } from "./typescript-support.ts";

if (isTypeScriptPath((workerData as ComputeThreadData).module)) await registerTypeScript();
// Imported only now: loading the thread loads the COMPUTE_MODULE, which may need tsx.
await import("./compute-thread.ts");
