// The COMPUTE_COMMAND line protocol against real python3 children: pipelined requests answered
// in any order, an error per parameter, a program that ends with requests pending, stderr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Worker } from "node:worker_threads";
import { CommandChild, commandWords, onLines } from "../lib/compute/command-child.ts";

const REVERSE = "python3 test/fixtures/compute-commands/reverse-pairs.py";

test("command words: spaces split, quotes keep a word whole, empty is refused", () => {
  assert.deepEqual(commandWords(`python3 "my algo.py" --k 'a b'`), ["python3", "my algo.py", "--k", "a b"]);
  assert.throws(() => commandWords("  "), /COMPUTE_COMMAND: it is empty/);
});

test("a program's output is cut into lines across reads: CRLF, a character split between reads, a last line without newline", async () => {
  const stream = new PassThrough();
  const lines: string[] = [];
  onLines(stream, (line) => lines.push(line));
  const euro = Buffer.from("€");
  stream.write('{"id": 1, "value": 2}\n{"id": 2, ');
  stream.write('"value": 3}\r\n\n{"id": 3, "error": "');
  stream.write(euro.subarray(0, 1));
  stream.write(Buffer.concat([euro.subarray(1), Buffer.from('"}\n{"id": 4')]));
  stream.end(', "value": 5}');
  await new Promise((resolve) => stream.on("end", resolve));
  assert.deepEqual(lines, ['{"id": 1, "value": 2}', '{"id": 2, "value": 3}', "", '{"id": 3, "error": "€"}', '{"id": 4, "value": 5}']);
});

test("in a worker thread, where it naps between reads while many requests are out, every answer still reaches its request", async () => {
  const count = 2000;
  const thread = new Worker(new URL("./fixtures/command-child-in-thread.mjs", import.meta.url), { workerData: { command: REVERSE, count, firstId: 100 } });
  const values = await new Promise<number[]>((resolve, reject) => {
    thread.once("message", resolve);
    thread.once("error", reject);
  });
  assert.deepEqual(values, Array.from({ length: count }, (_, i) => 2 * (100 + i)));
});

test("pipelined requests are matched to answers that come back in another order", async (t) => {
  const stderr: string[] = [];
  const child = new CommandChild(REVERSE, { onStderr: (l) => stderr.push(l) });
  t.after(() => child.kill());
  const answers = await Promise.allSettled([1, 2, 3, 13].map((id) => child.evaluate({ id, point: { x: id } })));
  assert.deepEqual(answers.slice(0, 3).map((a) => (a.status === "fulfilled" ? a.value : a.reason)), [2, 4, 6]);
  assert.equal(answers[3]?.status, "rejected");
  assert.match(String((answers[3] as PromiseRejectedResult).reason), /unlucky/);
  await child.close();
});

test("a line that is JSON but not an object (null) is ignored, not thrown in the stream's handler", async (t) => {
  const child = new CommandChild("python3 test/fixtures/compute-commands/null-first.py", { onStderr: () => {} });
  t.after(() => child.kill());
  assert.deepEqual(await Promise.all([child.evaluate({ id: 1 }), child.evaluate({ id: 2 })]), [10, 20]);
  await child.close();
});

test("a program that ends fails every pending request with how it ended; stderr reaches the log", async (t) => {
  const stderr: string[] = [];
  const child = new CommandChild(REVERSE, { onStderr: (l) => stderr.push(l) });
  t.after(() => child.kill());
  const pending = child.evaluate({ id: 5, point: { x: 5 } });
  const fatal = child.evaluate({ id: 66, point: { x: 0 } });
  await assert.rejects(pending, /exited with code 3/);
  await assert.rejects(fatal, /exited with code 3/);
  await child.exited;
  assert.deepEqual(stderr, ["exiting on 66"]);
  await assert.rejects(child.evaluate({ id: 7 }), /exited with code 3/);
});

test("the shipped Python example answers with real arithmetic and names a bad point", async (t) => {
  const child = new CommandChild("python3 examples/sweeps/bowl.py", { onStderr: () => {} });
  t.after(() => child.kill());
  const x = 0.3, y = 10 ** 0.5;
  const expected = (x - 0.3) ** 2 + (Math.log10(y) - 0.5) ** 2 + 0.05 * Math.sin(7 * x) * Math.cos(3 * Math.log10(y));
  assert.ok(Math.abs((await child.evaluate({ id: 0, point: { x, y } })) - expected) < 1e-12);
  await assert.rejects(child.evaluate({ id: 1, point: { x: 0, y: -1 } }), /ValueError: y must be positive/);
  await child.close();
});

test("a program that does not exist is an error naming the command", async () => {
  const child = new CommandChild("ttg-no-such-program-x9", { onStderr: () => {} });
  await child.exited;
  await assert.rejects(child.evaluate({ id: 0 }), /Cannot start COMPUTE_COMMAND ttg-no-such-program-x9: spawn ttg-no-such-program-x9 ENOENT/);
});

test("a request made in the same turn as close() still reaches the program before its input ends", async (t) => {
  const child = new CommandChild(REVERSE, { onStderr: () => {} });
  t.after(() => child.kill());
  // Requests of one turn leave together at its end: close() sends them before it ends the input.
  const answers = [child.evaluate({ id: 21, point: { x: 21 } }), child.evaluate({ id: 22, point: { x: 22 } })];
  await child.close();
  assert.deepEqual(await Promise.all(answers), [42, 44]);
});
