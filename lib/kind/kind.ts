// One function per kind command.
import type { Run } from "../shell/run.ts";

export async function kindClusters(run: Run): Promise<string[]> {
  const { stdout } = await run("kind", ["get", "clusters"]);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("No kind clusters"));
}

export async function kindCreateCluster(run: Run, name: string, configPath: string): Promise<void> {
  await run("kind", ["create", "cluster", "--name", name, "--config", configPath, "--wait", "180s"], { inherit: true });
}

export async function kindLoadImage(run: Run, image: string, cluster: string): Promise<void> {
  await run("kind", ["load", "docker-image", image, "--name", cluster], { inherit: true });
}

export async function kindDeleteCluster(run: Run, name: string): Promise<void> {
  await run("kind", ["delete", "cluster", "--name", name]);
}
