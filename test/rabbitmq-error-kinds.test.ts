// Which RabbitMQ errors mean what: a refused login, a queue held by another connection. Judged by
// the error's name or code, never by three digits that a port or a queue name may also hold (a
// private broker on port 40329 was taken for one answering, since "ECONNREFUSED ...:40329" holds
// "403"). Against the machine's real broker and a real refused port.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "amqplib";
import { isAccessRefused, isResourceLocked } from "../lib/backends/rabbitmq/amqp-link.ts";
import { ensureLocalRabbitmq } from "../lib/backends/rabbitmq/local-rabbitmq.ts";
import { canConnect } from "../lib/net/ports.ts";
import { AMQP_URL, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";

const refusal = (url: string) => connect(url, { timeout: 3_000 }).then(
  async (model) => {
    await model.close();
    throw new Error(`a connection to ${url} was accepted`);
  },
  (error: unknown) => error,
);

/** A port with "403" in it that nothing listens on. */
async function refusedPort403(): Promise<number> {
  for (let port = 40300; port < 40400; port++) if (!(await canConnect(port))) return port;
  throw new Error("every port from 40300 to 40399 is taken");
}

test("a refused login is one; a refused connection on port 403xx is not", async () => {
  const wrongPassword = new URL(AMQP_URL);
  wrongPassword.password = "not-the-password";
  assert.equal(isAccessRefused(await refusal(wrongPassword.toString())), true);
  const port = await refusedPort403();
  const refused = await refusal(`amqp://guest:guest@127.0.0.1:${port}`);
  assert.match(String((refused as Error).message), new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  assert.equal(isAccessRefused(refused), false);
});

test("nothing on port 403xx: no broker is taken as answering there, and a private one is started (here: a server that exits)", async () => {
  const port = await refusedPort403();
  await assert.rejects(ensureLocalRabbitmq(`amqp://guest:guest@127.0.0.1:${port}`, { serverPath: "/bin/false", startTimeoutMs: 10_000 }), /Cannot start a private rabbitmq-server on port \d+: it exited/);
});

test("an exclusive queue of another connection is locked; a missing queue whose name holds 405 is not", async (t) => {
  const ns = `${randomNamespace()}-405`;
  const holder = await connect(AMQP_URL);
  const other = await connect(AMQP_URL);
  t.after(async () => {
    await other.close().catch(() => undefined);
    await holder.close().catch(() => undefined);
  });
  await (await holder.createChannel()).assertQueue(`${ns}.lock.run-405`, { exclusive: true, durable: false });
  const tryOn = async (use: (ch: Awaited<ReturnType<typeof other.createChannel>>) => Promise<unknown>) => {
    const ch = await other.createChannel();
    ch.on("error", () => undefined);
    return use(ch).then(() => undefined, (error: unknown) => error);
  };
  assert.equal(isResourceLocked(await tryOn((ch) => ch.checkQueue(`${ns}.lock.run-405`))), true);
  const missing = await tryOn((ch) => ch.checkQueue(`${ns}.tasks.run-405`));
  assert.match(String((missing as Error).message), /NOT_FOUND.*405/);
  assert.equal(isResourceLocked(missing), false);
});
