// The delivery guarantees (docs/how-it-works.md §2-§4) against the real brokers with real worker processes: the same behaviours for
// every backend, one test file per backend (test/queue-behaviour-<backend>.test.ts) so that
// each file stays well inside the suite's per-file timeout. Each test has its own namespace
// and run id, removed afterwards.
import { chunkIdsOf, formatIdRanges } from "../../lib/log/chunk-ids.ts";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AggregateBuilder } from "../../lib/compute/aggregate.ts";
import { simulatedValue } from "../../lib/compute/simulated.ts";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { createQueueRun, type QueueRun } from "./queue-run.ts";
import { injectMalformed } from "./inject-malformed.ts";
import type { WorkerProcess } from "./worker-process.ts";
import { waitFor } from "./wait-for.ts";

type Took = { worker: string; chunk: number; delivery: number; at: number };

function tookLines(run: QueueRun): Took[] {
  const out: Took[] = [];
  for (const [worker, w] of run.workers) {
    for (const e of w.events()) {
      if (!e.message.startsWith("took ")) continue;
      // A batch's line names its chunks as ranges and gives no per-chunk delivery count.
      for (const chunk of chunkIdsOf(e.fields)) {
        out.push({ worker, chunk, delivery: Number(e.fields.delivery ?? Number.NaN), at: e.time?.getTime() ?? 0 });
      }
    }
  }
  return out;
}

function allExit(workers: WorkerProcess[], timeoutMs = 30_000) {
  return Promise.all(workers.map((w) => w.exitedWithin(timeoutMs)));
}

/** Results travel asynchronously (RabbitMQ pushes them): read until every chunk is in, with a deadline. */
async function collectAll(run: QueueRun) {
  await run.waitForAccepted(run.plan.totalChunks, 10_000).catch(() => undefined);
}

function assertComplete(run: QueueRun) {
  const ledger = run.ledger;
  assert.equal(ledger.acceptedCount, run.plan.totalChunks, `missing chunks ${ledger.missingChunkIds()}`);
  assert.equal(ledger.coveredParams(), run.plan.totalParameters);
}

export function describeQueueBehaviour(backend: BackendName): void {
  describe(`${backend} backend`, () => {
    test("several workers: every chunk accepted exactly once, aggregate equals a direct computation", async (t) => {
      const run = await createQueueRun(t, backend, { params: 600, chunkSize: 20 });
      const workers = ["a", "b", "c"].map((id) => run.start(id));
      const exits = await allExit(workers);
      assert.deepEqual(exits.map((e) => e.code), [0, 0, 0], "workers leave once the run is settled");
      await collectAll(run);
      assertComplete(run);
      assert.equal(run.ledger.duplicatesDiscarded, 0);
      const direct = new AggregateBuilder();
      for (let p = 0; p < 600; p++) direct.add(simulatedValue(p));
      assert.equal(run.ledger.aggregate.build().sum, direct.build().sum);
      assert.equal((await run.observer.stats()).accepted, 30);
    });

    test("kill -9 mid-chunk: another worker takes the chunk within 2 s and nothing is lost", async (t) => {
      const run = await createQueueRun(t, backend, { params: 200, chunkSize: 10, workMs: 20 });
      const a = run.start("a");
      const b = run.start("b");
      const took = await a.waitForEvent((e) => e.message.startsWith("took chunk"), "a to take a chunk");
      const victimChunk = Number(took.fields.chunk);
      const killedAt = Date.now();
      a.child.kill("SIGKILL");
      await waitFor(() => tookLines(run).find((l) => l.worker === "b" && l.chunk === victimChunk), "b to take the dead worker's chunk", 5000);
      const retaken = tookLines(run).find((l) => l.worker === "b" && l.chunk === victimChunk)!;
      assert.ok(retaken.at - killedAt < 2000, `redelivered after ${retaken.at - killedAt} ms`);
      assert.ok(retaken.delivery >= 2);
      assert.equal((await b.exitedWithin()).code, 0);
      await collectAll(run);
      assertComplete(run);
      assert.equal(run.results.find((r) => r.chunkId === victimChunk)?.worker, "b");
    });

    test("short chunks go in batches; a worker killed -9 holding a batch loses none of it", async (t) => {
      const run = await createQueueRun(t, backend, {
        params: 1000,
        chunkSize: 1,
        env: { COMPUTE_MODULE: "test/fixtures/slow-param-compute.ts", SLOW_PARAM: "600", SLOW_MS: "4000" },
      });
      const a = run.start("a");
      // Instant chunks: a's batches grow to many chunks; the one holding parameter 600 stalls.
      const took = await a.waitForEvent((e) => e.message.startsWith("took ") && chunkIdsOf(e.fields).includes(600), "a to take chunk 600", 20_000);
      const batch = chunkIdsOf(took.fields);
      assert.ok(batch.length > 1, `chunk 600 came in a batch: ${took.message}`);
      a.child.kill("SIGKILL");
      const b = run.start("b");
      assert.equal((await b.exitedWithin()).code, 0);
      await collectAll(run);
      assertComplete(run);
      // The batch before the killed one may have been publishing when the kill came (the worker computes the
      // next batch meanwhile): on RabbitMQ, where the publish and the ack are two steps, b redoes it and its
      // copies are discarded. So may the one before that: its ack goes out just before the killed batch is
      // taken, and an ack still in the socket's buffers dies with the worker (seen once in CI beside a demo
      // loop). Nothing older is ever done twice.
      const previous = a.events().filter((e) => e.message.startsWith("took ")).map((e) => chunkIdsOf(e.fields)).slice(-3, -1).flat();
      const twice = [...new Set(run.results.map((r) => r.chunkId).filter((c, i, all) => all.indexOf(c) !== i))];
      assert.equal(run.results.length, run.plan.totalChunks + twice.length, "at most two copies of a chunk");
      assert.equal(run.ledger.duplicatesDiscarded, twice.length);
      assert.deepEqual(twice.filter((c) => !previous.includes(c)), [], `only the two batches before the killed one are redone (${formatIdRanges(previous)})`);
      if (backend === "redis") assert.deepEqual(twice, [], "on Redis a batch's results and acks are one step");
      for (const chunk of batch) {
        const result = run.results.find((r) => r.chunkId === chunk);
        assert.equal(result?.worker, "b", `chunk ${chunk} of the killed batch was redone by b`);
        assert.ok((result?.attempt ?? 0) >= 2, `chunk ${chunk} was a redelivery: ${JSON.stringify(result)}\n${b.stdout.filter((l) => l.includes("took")).join("\n")}`);
      }
    });

    test("MAX_BATCH_CHUNKS=1 turns batching off", async (t) => {
      const run = await createQueueRun(t, backend, { params: 300, chunkSize: 1, env: { MAX_BATCH_CHUNKS: "1" } });
      const a = run.start("a");
      assert.equal((await a.exitedWithin()).code, 0);
      await collectAll(run);
      assertComplete(run);
      const took = a.events().filter((e) => e.message.startsWith("took "));
      assert.equal(took.length, 300);
      assert.ok(took.every((e) => e.message.startsWith("took chunk ")));
    });

    test("a frozen worker (SIGSTOP) loses its chunk to another; after SIGCONT its late copy is discarded", async (t) => {
      // A short RabbitMQ heartbeat (the former default): the test is about the late copy, not the wait
      // (test/rabbitmq-worker-death.test.ts times the default's); Redis ignores it.
      const run = await createQueueRun(t, backend, { params: 120, chunkSize: 10, workMs: 30, env: { RABBITMQ_HEARTBEAT_SECONDS: "2" } });
      const a = run.start("a");
      const took = await a.waitForEvent((e) => e.message.startsWith("took chunk"), "a to take a chunk");
      const chunk = Number(took.fields.chunk);
      a.child.kill("SIGSTOP");
      const b = run.start("b");
      await waitFor(async () => (await run.collect()).has(chunk), `chunk ${chunk} accepted from b`, 10_000);
      assert.equal(run.results.find((r) => r.chunkId === chunk)?.worker, "b");
      a.child.kill("SIGCONT");
      const exits = await allExit([a, b]);
      assert.deepEqual(exits.map((e) => e.code), [0, 0]);
      await collectAll(run);
      assertComplete(run);
      assert.equal(run.results.filter((r) => r.chunkId === chunk).length, 1, "one accepted result for the chunk");
      const dropped = a.events().some(
        (e) => e.message.startsWith("lost the lease") || e.message.includes("this copy was discarded"),
      );
      assert.ok(dropped, `a's late copy was neither dropped nor discarded:\n${a.stdout.join("\n")}`);
    });

    test("a CPU-bound chunk several times longer than STALE_THRESHOLD_MS is never redelivered", async (t) => {
      const run = await createQueueRun(t, backend, {
        params: 6,
        chunkSize: 3,
        env: { COMPUTE_MODULE: "test/fixtures/busy-compute.ts", BUSY_MS: "1000", STALE_THRESHOLD_MS: "800" },
      });
      const workers = ["a", "b", "c"].map((id) => run.start(id));
      assert.deepEqual((await allExit(workers, 60_000)).map((e) => e.code), [0, 0, 0]);
      await collectAll(run);
      assertComplete(run);
      const took = tookLines(run);
      assert.equal(took.length, 2, `chunks taken: ${JSON.stringify(took)}`);
      assert.ok(took.every((l) => l.delivery === 1));
      assert.ok(run.results.every((r) => r.attempt === 1 && r.busySeconds >= 2.4));
      assert.equal((await run.observer.stats()).duplicates, 0);
    });

    test("loaders racing (coordinator and workers) yield each chunk exactly once", async (t) => {
      const run = await createQueueRun(t, backend, { params: 1200, chunkSize: 1 });
      const loads = Array.from({ length: 3 }, () => run.observer.ensureLoaded(run.plan));
      const workers = ["a", "b"].map((id) => run.start(id));
      await Promise.all(loads);
      assert.deepEqual((await allExit(workers, 60_000)).map((e) => e.code), [0, 0]);
      await collectAll(run);
      assertComplete(run);
      const took = tookLines(run);
      assert.equal(took.length, 1200, "each chunk delivered once");
      assert.equal(new Set(took.map((l) => l.chunk)).size, 1200);
      assert.equal(run.ledger.duplicatesDiscarded + (await run.observer.stats()).duplicates, 0);
    });

    test("a parameter that throws is retried in place and recorded; its chunk is accepted with every other value, nothing dead-lettered", async (t) => {
      const run = await createQueueRun(t, backend, {
        params: 100,
        chunkSize: 10,
        env: { COMPUTE_MODULE: "test/fixtures/throwing-compute.ts", THROW_ON: "55", PARAM_RETRIES: "2" },
      });
      const workers = ["a", "b"].map((id) => run.start(id));
      assert.deepEqual((await allExit(workers)).map((e) => e.code), [0, 0]);
      await run.collect();
      assert.equal(run.ledger.acceptedCount, 10);
      assert.deepEqual(run.ledger.failedParams, [{ param: 55, cause: "error", error: "cannot evaluate parameter 55", attempts: 3 }]);
      assert.equal(run.ledger.coveredParams(), 99);
      assert.equal(run.ledger.aggregate.build().sum, 4950 - 55, "every other value is there");
      assert.deepEqual(await run.observer.deadLetters(), []);
      assert.equal(tookLines(run).filter((l) => l.chunk === 5).length, 1, "taken once: the retries are in place");
    });

    test("a parameter that SIGKILLs its worker: the chunk comes back, a sandbox names the parameter, the rest of the chunk is computed", async (t) => {
      const run = await createQueueRun(t, backend, {
        params: 40,
        chunkSize: 10,
        env: { COMPUTE_MODULE: "test/fixtures/faulty-compute.ts", KILL_ON: "23", MAX_BATCH_CHUNKS: "1", STALE_THRESHOLD_MS: "600" },
      });
      const a = run.start("a");
      await a.exitedWithin(30_000);
      const b = run.start("b");
      assert.equal((await b.exitedWithin(60_000)).code, 0, b.stdout.join("\n"));
      await run.collect();
      assert.equal(run.ledger.acceptedCount, 4);
      assert.deepEqual(run.ledger.failedParams, [{ param: 23, cause: "crash", error: "its process was killed by SIGKILL", attempts: 1 }]);
      assert.equal(run.ledger.aggregate.build().sum, 780 - 23);
      assert.deepEqual(await run.observer.deadLetters(), []);
    });

    test("a malformed message is dead-lettered, not a crash", async (t) => {
      const run = await createQueueRun(t, backend, { params: 50, chunkSize: 10 });
      await run.observer.ensureLoaded(run.plan);
      await injectMalformed(backend, run.url, run.namespace, run.runId);
      const a = run.start("a");
      assert.equal((await a.exitedWithin()).code, 0, a.stdout.join("\n"));
      await collectAll(run);
      assertComplete(run);
      const dead = await run.observer.deadLetters();
      assert.equal(dead.length, 1);
      assert.equal(dead[0]?.chunkId, null);
      assert.match(dead[0]?.error ?? "", /malformed/);
    });

    test("SIGTERM mid-chunk never publishes a partial result; the chunk is redone by another worker", async (t) => {
      const run = await createQueueRun(t, backend, {
        params: 60,
        chunkSize: 20,
        workMs: 100,
        env: { SHUTDOWN_GRACE_SECONDS: "0.2" },
      });
      const a = run.start("a");
      const took = await a.waitForEvent((e) => e.message.startsWith("took chunk"), "a to take a chunk");
      const chunk = Number(took.fields.chunk);
      a.child.kill("SIGTERM");
      assert.equal((await a.exitedWithin()).code, 143);
      assert.ok(a.events().some((e) => e.message.includes("left for another worker")));
      const summary = a.summary() as { chunks: number; status: string };
      assert.equal(summary.status, "interrupted");
      await run.collect();
      assert.equal(run.ledger.has(chunk), false, "no result for the interrupted chunk");
      const b = run.start("b");
      assert.equal((await b.exitedWithin()).code, 0);
      await collectAll(run);
      assertComplete(run);
      const redo = run.results.find((r) => r.chunkId === chunk);
      assert.equal(redo?.worker, "b");
      assert.equal(redo?.aggregate.count, 20, "the whole chunk, not a part");
    });
  });
}
