// Node entry of the crash sandbox's child process: register tsx (both hooks: a TypeScript
// COMPUTE_MODULE outside a "type": "module" package is CommonJS to tsx), then run the child.
import { register } from "tsx/esm/api";
import { register as registerCommonJs } from "tsx/cjs/api";

register();
registerCommonJs();
const { runSandboxChild } = await import("./compute-sandbox-child.ts");
await runSandboxChild({ tsxReady: true });
