// The worker as plain JavaScript for Node: worker/main.ts and its compute thread bundled with
// esbuild, so a worker starts without tsx compiling ~60 files in its process and again in its
// compute thread. Kept in node_modules/.cache/ttg-worker so bare imports (tsx) resolve as from the sources.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleOutput, ensureBundle, type BundleSpec } from "./cached-bundle.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

const WORKER_BUNDLE_CACHE = join(REPO_ROOT, "node_modules", ".cache", "ttg-worker");

// The CommonJS clients (ioredis, amqplib) call require() for Node's built-ins; an ES module has none.
const REQUIRE_BANNER = 'import { createRequire as __ttgCreateRequire } from "node:module"; const require = __ttgCreateRequire(import.meta.url);';

function workerBundleSpec(cacheDir = WORKER_BUNDLE_CACHE): BundleSpec {
  return {
    root: REPO_ROOT,
    // compute-engine.ts starts ./compute-thread-node.mjs beside itself, compute-sandbox.ts its child
    // ./compute-sandbox-node.mjs: their outputs carry those names.
    entries: {
      main: "worker/main.ts",
      "compute-thread-node": "lib/compute/compute-thread-bundled.ts",
      "compute-sandbox-node": "lib/compute/compute-sandbox-bundled.ts",
    },
    // <key>/worker/main.mjs: cleanup.ts --list knows a worker by a command line ending in worker/main.*.
    outSubdir: "worker",
    cacheDir,
    esbuild: {
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // Each backend's client in its own file, read only by the workers that use it.
      splitting: true,
      entryNames: "[name]",
      chunkNames: "chunk-[hash]",
      outExtension: { ".js": ".mjs" },
      // Loaded only for a TypeScript COMPUTE_MODULE, from node_modules as usual.
      external: ["tsx"],
      banner: { js: REQUIRE_BANNER },
    },
  };
}

export type WorkerBundle = { main: string; key: string; built: boolean };

/** The up-to-date worker bundle: from the cache when no input changed, else bundled now (~0.1-0.3 s). */
export async function ensureWorkerBundle(options: { cacheDir?: string } = {}): Promise<WorkerBundle> {
  const bundle = await ensureBundle(workerBundleSpec(options.cacheDir));
  return { main: bundleOutput(bundle, "main"), key: bundle.key, built: bundle.built };
}
