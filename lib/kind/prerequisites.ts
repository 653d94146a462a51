// Tools first, then the Docker daemon: each failure is one actionable line, exit 2.
import { BadInput } from "../script/bad-input.ts";
import type { Run } from "../shell/run.ts";
import { requireTool } from "../shell/tools.ts";
import { dockerDaemonRunning } from "./docker.ts";

export class PrerequisiteError extends BadInput {}

export async function checkPrerequisites(run: Run, tools: readonly ("docker" | "kind" | "kubectl")[], log: (line: string) => void): Promise<void> {
  for (const tool of tools) requireTool(tool);
  if (tools.includes("docker") && !(await dockerDaemonRunning(run))) {
    throw new PrerequisiteError("Cannot reach the Docker daemon: start Docker (Docker Desktop, or `sudo systemctl start docker`) and try again");
  }
  log(`prerequisites: ${tools.join(", ")} found`);
}
