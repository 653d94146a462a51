// Node entry of the compute thread: worker threads do not inherit tsx's loader,
// so register it here before loading the TypeScript thread. Deno loads the .ts directly.
import { register } from "tsx/esm/api";

register();
await import("./compute-thread.ts");
