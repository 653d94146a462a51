// A killed worker's chunk is back at once; a frozen one's within a few seconds (short heartbeats);
// a missing rabbitmq-server binary is a one-line bad-input error.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { createRabbitmqWorkerQueue, ensureLocalRabbitmq } from "../lib/backends/rabbitmq/index.ts";
import { AMQP_URL, backendOptions, deleteNamespace, planFor, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

const holder = fileURLToPath(new URL("./fixtures/rabbitmq/hold-chunk.ts", import.meta.url));

async function holderWithChunk(t: TestContext, ns: string) {
  const child = spawn(process.execPath, ["--import", "tsx", holder, AMQP_URL, ns, "run-1"], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  t.after(async () => {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await exited;
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  const line = await waitFor(() => lines.find((l) => l.startsWith("holding ")), "the holder to take a chunk", 20_000);
  return { child, exited, chunkId: Number(line.split(" ")[1]) };
}

for (const [signal, limitMs] of [["SIGKILL", 1_000], ["SIGSTOP", 8_000]] as const) {
  test(`a ${signal === "SIGKILL" ? "killed" : "frozen"} worker's chunk goes to another worker within ${limitMs} ms`, async (t) => {
    const ns = randomNamespace();
    t.after(() => deleteNamespace(ns, ["run-1"]));
    const other = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "other" }));
    t.after(() => other.close());
    await other.ensureLoaded(planFor("run-1", 10, 10)); // one chunk
    const { child, chunkId } = await holderWithChunk(t, ns);
    assert.equal(await other.next(100), undefined);
    const at = Date.now();
    child.kill(signal);
    const d = await other.next(limitMs + 2_000);
    const took = Date.now() - at;
    assert.equal(d?.task?.chunkId, chunkId);
    assert.ok(took < limitMs, `back after ${took} ms`);
  });
}

test("no broker and no rabbitmq-server binary: a one-line bad-input error naming the fix", async () => {
  const error = await ensureLocalRabbitmq("amqp://guest:guest@127.0.0.1:1", { serverPath: "/nonexistent/rabbitmq-server" }).then(
    () => undefined,
    (e: unknown) => e as Error & { badInput?: boolean },
  );
  assert.ok(error);
  assert.equal(error.badInput, true);
  assert.match(error.message, /rabbitmq-server is not installed \(apt-get install rabbitmq-server/);
  assert.doesNotMatch(error.message, /\n/);
});
