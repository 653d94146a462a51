// A compute program in any language (COMPUTE_COMMAND), started once and reused, speaking one JSON
// object per line each way: the worker writes {"id": 12, "point": {...}} to its stdin, many
// before reading; the program answers {"id": 12, "value": 1.23} or {"id": 12, "error": "why"},
// one line per request, in any order. Its stderr goes to the worker's log.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import { isMainThread } from "node:worker_threads";
import { describeEnd } from "./param-failure.ts";

export type CommandRequest = { id: number; point?: Record<string, number | string> };

/** The program ended with this request unanswered: a crash of the parameter, if it alone ends it. */
export class CommandEnded extends Error {
  readonly paramCause = "crash";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandEnded";
  }
}

type Waiting = { resolve: (value: number) => void; reject: (error: Error) => void };

/** A compute thread naps only with at least this many requests out, so the program has work meanwhile. */
const NAP_IN_FLIGHT = 32;
const NAP_MS = 0.3;
const NAP = new Int32Array(new SharedArrayBuffer(4));

/**
 * Calls `onLine` with each line the stream carries (without its "\n" or "\r\n"), the last one
 * even without a newline. Tens of thousands of answers a second come a few per read: split at
 * "\n" by hand, where readline's pattern and interface were a visible part of the compute
 * thread's profile.
 */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const emit = (line: string) => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  stream.on("data", (data: Buffer) => {
    const text = rest + decoder.write(data);
    let from = 0;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", from)) {
      emit(text.slice(from, at));
      from = at + 1;
    }
    rest = text.slice(from);
  });
  stream.on("end", () => {
    const last = rest + decoder.end();
    rest = "";
    if (last !== "") emit(last);
  });
}

/** The words of a command line: split on spaces, with '...' and "..." kept whole; no shell. */
export function commandWords(command: string): string[] {
  const words = [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
  if (words.length === 0) throw new Error("Cannot start COMPUTE_COMMAND: it is empty; give a program and its arguments");
  return words;
}

export class CommandChild {
  #child: ChildProcessWithoutNullStreams;
  #waiting = new Map<number, Waiting>();
  #ended: Error | undefined;
  /** Request lines written this turn of the event loop, sent together at its end. */
  #outgoing = "";
  readonly exited: Promise<void>;
  /** Resolves once the program is running; rejects when it cannot be started (no such program). */
  readonly started: Promise<void>;
  /** Resolves at the program's first line on stdout (it has started up) or when it ends. */
  readonly firstLine: Promise<void>;
  #sawFirstLine: () => void = () => {};

  constructor(command: string, options: { onStderr?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}) {
    const [program, ...args] = commandWords(command);
    this.#child = spawn(program as string, args, { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    const onStderr = options.onStderr ?? ((line: string) => process.stderr.write(`${line}\n`));
    createInterface({ input: this.#child.stderr }).on("line", onStderr);
    onLines(this.#child.stdout, (line) => this.#onLine(line));
    this.#child.stdout.on("data", () => this.#napSoon());
    this.#child.stdin.on("error", () => {}); // a dead child's EPIPE is reported by "exit"
    this.started = new Promise((resolve, reject) => {
      this.#child.once("spawn", () => resolve());
      this.#child.once("error", (error) => reject(new Error(`Cannot start COMPUTE_COMMAND ${command}: ${error.message}`, { cause: error })));
    });
    this.started.catch(() => {});
    this.firstLine = new Promise((resolve) => (this.#sawFirstLine = resolve));
    this.exited = new Promise((resolve) => {
      this.#child.once("error", (error) => {
        this.#fail(new CommandEnded(`Cannot start COMPUTE_COMMAND ${command}: ${error.message}`, { cause: error }));
        resolve();
      });
      this.#child.once("close", (code, signal) => {
        this.#fail(new CommandEnded(`the compute command ${describeEnd(code, signal)}`));
        resolve();
      });
    });
    void this.exited.then(() => this.#sawFirstLine());
  }

  /** False once the program has ended (or could not start): a new one must be started. */
  get alive(): boolean {
    return this.#ended === undefined;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The value the program answers for this request; rejects with its error, or when it ends first. */
  evaluate(request: CommandRequest): Promise<number> {
    if (this.#ended) return Promise.reject(this.#ended);
    if (this.#waiting.has(request.id)) return Promise.reject(new Error(`parameter ${request.id} is already being evaluated`));
    return new Promise<number>((resolve, reject) => {
      this.#waiting.set(request.id, { resolve, reject });
      this.#writeSoon(`${JSON.stringify(request)}\n`);
    });
  }

  /**
   * Requests sent in one turn of the event loop leave as one string in one write: not a system call
   * each, nor (as with a corked stream) a buffered write and a string conversion each.
   */
  #writeSoon(line: string): void {
    if (this.#outgoing === "") process.nextTick(() => this.#sendOutgoing());
    this.#outgoing += line;
  }

  #sendOutgoing(): void {
    const text = this.#outgoing;
    this.#outgoing = "";
    if (text !== "" && !this.#child.stdin.writableEnded) this.#child.stdin.write(text);
  }

  /** Closes its stdin (a well-behaved program exits on end of input), then kills it if it lingers. */
  async close(graceMs = 2000): Promise<void> {
    if (!this.#ended) {
      this.#sendOutgoing();
      this.#child.stdin.end();
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }

  #onLine(line: string): void {
    this.#sawFirstLine();
    if (line.trim() === "") return;
    let answer: { id?: unknown; value?: unknown; error?: unknown } | null;
    try {
      answer = JSON.parse(line) as typeof answer;
    } catch {
      process.stderr.write(`compute command wrote a line that is not JSON (ignored): ${line.slice(0, 200)}\n`);
      return;
    }
    // A bare `null` would otherwise throw here, in the stream's handler, and end the compute thread.
    if (answer === null || typeof answer !== "object") {
      process.stderr.write(`compute command wrote a line that is not a JSON object (ignored): ${line.slice(0, 200)}\n`);
      return;
    }
    const waiting = typeof answer.id === "number" ? this.#waiting.get(answer.id) : undefined;
    if (!waiting) {
      process.stderr.write(`compute command answered no pending request (ignored): ${line.slice(0, 200)}\n`);
      return;
    }
    this.#waiting.delete(answer.id as number);
    if (answer.error !== undefined) waiting.reject(new Error(String(answer.error)));
    else if (typeof answer.value === "number" && Number.isFinite(answer.value)) waiting.resolve(answer.value);
    else waiting.reject(new Error(`the compute command answered ${JSON.stringify(answer.value ?? null)}, not a finite number value`));
  }

  #napping = false;

  /**
   * With many requests out, a compute thread that has read some answers naps NAP_MS once the
   * requests that replace them are written, then reads every answer that came meanwhile at once.
   * A program flushes each answer, and each flush woke a waiting thread: about 12,000 wake-ups a
   * second per worker on a zero-work Python program, with the program preempted as often; with the
   * nap about 1,300, and 10 % more chunks a second. Never on a main thread, whose event loop also
   * serves heartbeats and signals, and never near a batch's end, where fewer requests are out.
   */
  #napSoon(): void {
    if (isMainThread || this.#napping || this.#waiting.size < NAP_IN_FLIGHT) return;
    this.#napping = true;
    setImmediate(() => {
      this.#napping = false;
      if (this.#waiting.size >= NAP_IN_FLIGHT) Atomics.wait(NAP, 0, 0, NAP_MS);
    });
  }

  #fail(error: Error): void {
    this.#ended ??= error;
    for (const w of this.#waiting.values()) w.reject(this.#ended);
    this.#waiting.clear();
  }
}
