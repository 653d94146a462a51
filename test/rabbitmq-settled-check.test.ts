// RabbitMQ: an idle worker's "is the run settled?" while nothing changed is one passive declare on
// the worker's own channel (no channel opened and closed for it: that churn cost the broker more
// than the question); a new done marker still gets the full read, and a deleted queue still fails
// the check instead of looking unchanged.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { AmqpLink } from "../lib/backends/rabbitmq/amqp-link.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { markDone, SettledCheck } from "../lib/backends/rabbitmq/run-progress.ts";
import { loadRun } from "../lib/backends/rabbitmq/run-loader.ts";
import { assertTopology } from "../lib/backends/rabbitmq/topology.ts";
import { planFor } from "../lib/backends/backend.ts";
import { AMQP_URL, deleteNamespace, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

/** A link that counts the extra channels opened on it. */
async function countingLink(): Promise<{ link: AmqpLink; opened: () => number }> {
  const link = await AmqpLink.open({ url: AMQP_URL, name: "ttg-test-settled-check" });
  let opened = 0;
  const open = link.openChannel.bind(link);
  link.openChannel = () => {
    opened++;
    return open();
  };
  return { link, opened: () => opened };
}

/** A loaded run of two chunks in its own namespace, a counting link and a settled check, closed after the test. */
async function loadedRun(t: TestContext) {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const names = rabbitmqNames(ns, "run-1");
  const plan = planFor("run-1", 20, 10);
  const { link, opened } = await countingLink();
  const check = new SettledCheck();
  t.after(async () => {
    await check.close();
    await link.close();
  });
  await loadRun(link, names, plan, undefined);
  return { names, plan, link, opened, check };
}

test("an idle settled check asks on the worker's channel until a marker arrives, then reads the markers", async (t) => {
  const { names, plan, link, opened, check } = await loadedRun(t);
  const { channel } = await link.channel();
  const loaded = opened();

  // The first check finds the done queue on a channel of its own; the next ones open nothing.
  assert.equal(await check.check(link, names, plan), false);
  const first = opened();
  assert.equal(first, loaded + 1);
  for (let i = 0; i < 5; i++) assert.equal(await check.check(link, names, plan), false);
  assert.equal(opened(), first, "no channel opened while the done count stays at zero");

  // One chunk of two done: the count moved, so the markers are read (on channels of their own).
  await markDone(channel, names, [0], "result");
  assert.equal(await check.check(link, names, plan), false);
  const afterRead = opened();
  assert.ok(afterRead > first, "a new marker is read, not just counted");
  await markDone(channel, names, [1], "result");
  assert.equal(await check.check(link, names, plan), true, "every chunk has a marker: settled");
});

test("an idle settled check whose done queue was deleted fails, and the link comes back", async (t) => {
  const { names, plan, link, check } = await loadedRun(t);
  const { generation } = await link.channel();
  assert.equal(await check.check(link, names, plan), false);
  assert.equal(await check.check(link, names, plan), false);
  const other = await link.openChannel();
  await other.deleteQueue(names.done);
  await other.close();
  // A purged run is an error, never a quiet "not settled".
  await assert.rejects(check.check(link, names, plan), (error: { code?: number }) => error.code === 404);
  await waitFor(() => link.isOpen() && link.generation > generation, "the link reconnected after the channel closed", 10_000);
  await assertTopology((await link.channel()).channel, names);
  assert.equal(await check.check(link, names, plan), false, "the next check starts over on the new connection");
});
