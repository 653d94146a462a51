// Node entry of the crash sandbox's child process: register tsx, then run the TypeScript child.
import { register } from "tsx/esm/api";

register();
const { runSandboxChild } = await import("./compute-sandbox-child.ts");
await runSandboxChild({ tsxReady: true });
