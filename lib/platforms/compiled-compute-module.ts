// A TypeScript COMPUTE_MODULE compiled to JavaScript once by the coordinator (esbuild, cached by the
// content of every file that went in), so a local worker's compute thread imports plain JavaScript
// instead of loading tsx: tsx costs each worker ~0.25 s of start-up and ~0.4 s of CPU (measured on
// 2 cores), paid by every worker at once. The worker is handed the build as COMPUTE_MODULE_JS and
// still names COMPUTE_MODULE in its logs and errors.
//
// Only where the build behaves as the source does: the module's packages are left as imports and
// resolve from <package root>/node_modules/.cache, as they do from the module (so no node_modules
// folder may sit between the module and its package root); import.meta.url and friends keep the
// source's location; a file using CommonJS names (__dirname, require) is left to tsx.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { bundleOutput, ensureBundle } from "./cached-bundle.ts";

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/i;
/** An import of a file beside the module (`from "./x"`, `import("../y")`): it must be bundled in. */
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["']\.{1,2}\//;
const COMMONJS_NAMES = /\b(?:__dirname|__filename|require\s*\(|module\.exports|exports\.)/;
/** What esbuild leaves in an ES module for CommonJS code it could not turn into imports. */
const COMMONJS_LEFT = /\b(?:__require\(|__dirname\b|__filename\b)/;

/** The folder holding the nearest package.json above `file`, if node_modules is beside it and nowhere closer. */
function packageRoot(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const hasModules = existsSync(join(dir, "node_modules"));
    if (existsSync(join(dir, "package.json"))) return hasModules ? dir : undefined;
    if (hasModules || dirname(dir) === dir) return undefined;
  }
}

/**
 * The cached JavaScript build of a TypeScript compute module; undefined when the module is not
 * TypeScript, cannot be built the same way, or the build fails (the worker then loads it with tsx).
 */
export async function compiledComputeModule(module: string): Promise<string | undefined> {
  const path = resolve(module);
  if (!TYPESCRIPT.test(path) || !existsSync(path)) return undefined;
  const root = packageRoot(path);
  const source = readFileSync(path, "utf8");
  if (root === undefined || COMMONJS_NAMES.test(source)) return undefined;
  // A module of one file is only compiled, not bundled: bundling turns its top-level const into var,
  // which V8 (Node 20) reads from the module's context on every use instead of folding it, and an
  // evaluation of examples/rosenbrock-descent.ts cost ~10 % more (1M calls, JIT made deterministic
  // with --no-concurrent-recompilation --no-concurrent-osr: 2.98-3.31 s CPU bundled, 2.80-2.86 s not).
  const bundle = RELATIVE_IMPORT.test(source);
  const name = basename(path).replace(TYPESCRIPT, "");
  // One cache folder per module: each keeps its newest build (and older ones for a day).
  const cacheDir = join(root, "node_modules", ".cache", "ttg-compute", createHash("sha256").update(path).digest("hex").slice(0, 12));
  try {
    const built = await ensureBundle({
      root,
      entries: { [name]: path },
      outSubdir: "compute",
      cacheDir,
      keepSourceLocations: true,
      esbuild: { bundle, platform: "node", format: "esm", target: "node20", ...(bundle ? { packages: "external" as const } : {}), outExtension: { ".js": ".mjs" } },
    });
    const output = bundleOutput(built, name);
    return COMMONJS_LEFT.test(readFileSync(output, "utf8")) ? undefined : output;
  } catch {
    return undefined;
  }
}
