// Deno entry of the crash sandbox's child process: Deno loads TypeScript itself.
import { runSandboxChild } from "./compute-sandbox-child.ts";

await runSandboxChild({ tsxReady: true });
