// An esbuild bundle kept in a cache folder under a key made of the content of every file that went
// into it: used again only while each of those files is unchanged, built afresh otherwise.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildFailure, BuildOptions, Plugin } from "esbuild";

export type BundleSpec = {
  /** Folder the entry points (and the inputs the manifest records) are relative to. */
  root: string;
  /** Output name (written as <name>.mjs) -> entry point. */
  entries: Record<string, string>;
  /** Subfolder of a bundle its files go to, so their paths read like the sources'. */
  outSubdir: string;
  /** The cache: each bundle is <cacheDir>/<key>/, the newest one named in <cacheDir>/latest.json. */
  cacheDir: string;
  /** Further esbuild settings; part of the key, so they must be plain data. */
  esbuild: Omit<BuildOptions, "entryPoints" | "outdir" | "absWorkingDir" | "write" | "plugins">;
  /**
   * Each input's own location kept: import.meta.url, .dirname and .filename become the source
   * file's (a user's module reading a file beside it reads the same file bundled).
   */
  keepSourceLocations?: boolean;
};

export type Bundle = {
  key: string;
  /** Folder holding the entries' outputs: <name>.mjs each. */
  outDir: string;
  /** False when an up-to-date bundle was found in the cache. */
  built: boolean;
};

type Manifest = { key: string; inputs: string[] };

const MANIFEST = "latest.json";
/** Bundles other than the newest are removed once unused this long (a long run may still restart workers from one). */
const KEEP_OLD_MS = 24 * 3600_000;

export function bundleOutput(bundle: Bundle, name: string): string {
  return join(bundle.outDir, `${name}.mjs`);
}

/** The up-to-date bundle of spec: from the cache when every input is unchanged, else built now. */
export async function ensureBundle(spec: BundleSpec): Promise<Bundle> {
  const settings = await settingsOf(spec);
  return (await cachedBundle(spec, settings)) ?? (await buildBundle(spec, settings));
}

async function settingsOf(spec: BundleSpec): Promise<string> {
  const { version } = await import("esbuild");
  return JSON.stringify({ version, entries: spec.entries, outSubdir: spec.outSubdir, esbuild: spec.esbuild, keepSourceLocations: spec.keepSourceLocations ?? false });
}

/** The key of a bundle: its settings and each input's path and content. */
function keyOf(contents: ReadonlyMap<string, Uint8Array>, settings: string): string {
  const hash = createHash("sha256").update(settings);
  for (const input of [...contents.keys()].sort()) {
    hash.update(`\0${input}\0`).update(createHash("sha256").update(contents.get(input) as Uint8Array).digest());
  }
  return hash.digest("hex").slice(0, 20);
}

/**
 * The inputs' contents now; undefined if one is gone. Read all at once (~250 files for the worker:
 * 25-30 ms, against 90-100 one after another, paid before a run's first worker starts).
 */
async function readInputs(root: string, inputs: readonly string[]): Promise<Map<string, Uint8Array> | undefined> {
  const read = await Promise.all(inputs.map((input) => readFile(resolve(root, input)).catch(() => undefined)));
  if (read.some((bytes) => bytes === undefined)) return undefined;
  return new Map(inputs.map((input, i) => [input, read[i] as Uint8Array]));
}

function bundleAt(spec: BundleSpec, key: string, built: boolean): Bundle {
  return { key, outDir: join(spec.cacheDir, key, spec.outSubdir), built };
}

function isComplete(spec: BundleSpec, bundle: Bundle): boolean {
  return Object.keys(spec.entries).every((name) => existsSync(bundleOutput(bundle, name)));
}

async function cachedBundle(spec: BundleSpec, settings: string): Promise<Bundle | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(spec.cacheDir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  const contents = Array.isArray(manifest.inputs) ? await readInputs(spec.root, manifest.inputs) : undefined;
  if (!contents || keyOf(contents, settings) !== manifest.key) return undefined;
  const bundle = bundleAt(spec, manifest.key, false);
  return isComplete(spec, bundle) ? bundle : undefined;
}

/**
 * One build into a scratch folder, moved under its key. esbuild reads every file through
 * readInput, so the key is made of exactly the contents that went in, even if a file is saved meanwhile.
 */
async function buildBundle(spec: BundleSpec, settings: string): Promise<Bundle> {
  const { build } = await import("esbuild");
  const scratch = join(spec.cacheDir, `tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const contents = new Map<string, Uint8Array>();
  const readInput: Plugin = {
    name: "read-input",
    setup(b) {
      b.onLoad({ filter: /.*/, namespace: "file" }, async (args) => {
        const bytes = await readFile(args.path);
        contents.set(relative(spec.root, args.path).split(sep).join("/"), bytes);
        return { contents: spec.keepSourceLocations ? withSourceLocation(bytes, args.path) : bytes, loader: "default" };
      });
    },
  };
  try {
    await build({
      ...spec.esbuild,
      absWorkingDir: spec.root,
      entryPoints: spec.entries,
      outdir: join(scratch, spec.outSubdir),
      plugins: [readInput],
      write: true,
      logLevel: "silent",
    });
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`Cannot bundle ${Object.values(spec.entries).join(", ")}: ${firstBuildError(error)}`, { cause: error });
  }
  const key = keyOf(contents, settings);
  const bundle = bundleAt(spec, key, true);
  await moveIntoPlace(spec, scratch, key, bundle);
  const manifestTmp = join(spec.cacheDir, `${MANIFEST}.${process.pid}.tmp`);
  await writeFile(manifestTmp, JSON.stringify({ key, inputs: [...contents.keys()].sort() } satisfies Manifest));
  await rename(manifestTmp, join(spec.cacheDir, MANIFEST));
  await removeOldBundles(spec.cacheDir, key);
  return bundle;
}

/** A script's import.meta.url / .dirname / .filename replaced by its own path (other files as they are). */
function withSourceLocation(bytes: Uint8Array, path: string): Uint8Array | string {
  if (!/\.[cm]?[jt]sx?$/i.test(path)) return bytes;
  const text = new TextDecoder().decode(bytes);
  if (!text.includes("import.meta")) return bytes;
  return text
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(path).href))
    .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(path)))
    .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(path));
}

/** Renames the scratch folder to <key>/; another process may have put the same bundle there first. */
async function moveIntoPlace(spec: BundleSpec, scratch: string, key: string, bundle: Bundle): Promise<void> {
  const target = join(spec.cacheDir, key);
  if (existsSync(target) && !isComplete(spec, bundle)) await rm(target, { recursive: true, force: true });
  try {
    await rename(scratch, target);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    if (!isComplete(spec, bundle)) throw new Error(`Cannot store the bundle in ${target}: ${(error as Error).message}`, { cause: error });
  }
}

async function removeOldBundles(cacheDir: string, keep: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name === keep || name.startsWith(MANIFEST)) continue;
    const path = join(cacheDir, name);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > KEEP_OLD_MS) await rm(path, { recursive: true, force: true });
  }
}

function firstBuildError(error: unknown): string {
  const first = (error as Partial<BuildFailure>).errors?.[0];
  if (!first) return (error as Error).message;
  return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
}
