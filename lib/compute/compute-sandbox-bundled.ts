// Entry of the crash sandbox's child in the worker bundle (lib/platforms/worker-bundle.ts): plain
// JavaScript already, so the child registers tsx only to load a TypeScript COMPUTE_MODULE.
import { runSandboxChild } from "./compute-sandbox-child.ts";

await runSandboxChild({ tsxReady: false });
