// The demo's options made final before anything runs: the platform (flag, or detected) and
// the chunk size (flag, or measured with --chunk-size auto). A new object; the options stay as given.
import { detectPlatform } from "../platforms/detect-platform.ts";
import { requireTool } from "../shell/tools.ts";
import { UsageError } from "../script/usage-error.ts";
import { zxRun } from "../shell/zx-runner.ts";
import { autoChunkSize } from "../sweep/auto-chunk-size.ts";
import type { Platform } from "../report/report-model.ts";
import type { DemoOptions } from "./demo-options.ts";
import type { SweepConfig } from "../sweep/sweep-config.ts";

export type DemoConfig = DemoOptions & SweepConfig;

export type ResolvedDemo = { cfg: DemoConfig; platformReason: string };

/** --platform, or kind when the ttg-sandbox cluster exists, else local; says which and why. */
async function resolvePlatform(opts: DemoOptions): Promise<{ platform: Platform; reason: string }> {
  if (opts.platformChoice === "local") return { platform: "local", reason: "chosen with --platform" };
  const choice = await detectPlatform(zxRun);
  if (opts.platformChoice === "kind") {
    for (const tool of ["kubectl", "kind", "docker"]) requireTool(tool);
    if (choice.platform !== "kind") throw new UsageError(`Cannot use --platform kind: ${choice.reason}.`);
    return { platform: "kind", reason: "chosen with --platform" };
  }
  return { platform: choice.platform, reason: choice.reason };
}

export async function resolveDemo(opts: DemoOptions): Promise<ResolvedDemo> {
  const { platform, reason } = await resolvePlatform(opts);
  const cfg: DemoConfig = { ...opts, platform };
  if (!opts.chunkSizeAuto) return { cfg, platformReason: reason };
  const choice = await autoChunkSize(cfg);
  return { cfg: { ...cfg, chunkSize: choice.chunkSize, chunkSizeChoice: choice }, platformReason: reason };
}
