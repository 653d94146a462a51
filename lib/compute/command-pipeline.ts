// A COMPUTE_COMMAND request's parameters through one sliding window that spans every range of the
// request (a batch of chunks): up to `window` requests in flight, answers in any order, outcomes
// handed on in parameter order, range after range. A batch of many short chunks then pays one
// pipe round trip, not one per chunk.
//
// An answer that is not a value stops new requests until everything in flight has answered; then
// each failed parameter is decided alone, with nothing else in flight: an error is retried in place
// (PARAM_RETRIES), and a parameter whose request failed because the program ended is evaluated
// again alone in a new program, so only the one that ends it is recorded as a crash.
import type { PipelinedCompute } from "./command-compute.ts";
import { CommandEnded } from "./command-child.ts";
import type { Range } from "./compute-protocol.ts";
import { evaluateParam, retryParam } from "./evaluate-param.ts";
import type { ParamFailure } from "./param-failure.ts";

export type PipelineSink = {
  /** A parameter's value or failure record, in parameter order within a range. */
  outcome(param: number, outcome: number | ParamFailure): void;
  /** Every parameter of the current range has had its outcome (called for empty ranges too). */
  rangeEnd(): void;
};

export type PipelineOptions = {
  /** In-place retries of a parameter whose program answered an error. */
  retries: number;
  /** Parameters already decided (timed out or crashed on an earlier try): recorded as given, not sent. */
  skip?: ReadonlyMap<number, ParamFailure> | undefined;
  /** Names the parameter the others wait for: the lowest unanswered one (the time limit watches it). */
  watching: (param: number) => void;
};

type Slot = { param: number; answer: PromiseSettledResult<number> | undefined; settled: Promise<void>; decided: ParamFailure | undefined };

/** Sends a request; the slot's `settled` resolves once the program has answered it (never rejects). */
function send(compute: PipelinedCompute, param: number, onAnswer: (slot: Slot) => void): Slot {
  const slot: Slot = { param, answer: undefined, settled: Promise.resolve(), decided: undefined };
  let request: Promise<number>;
  try {
    request = Promise.resolve(compute(param));
  } catch (error) {
    request = Promise.reject(error as Error);
  }
  // One promise per request beside the program's own: this runs for every parameter.
  slot.settled = request.then(
    (value) => {
      slot.answer = { status: "fulfilled", value };
      onAnswer(slot);
    },
    (reason: unknown) => {
      slot.answer = { status: "rejected", reason };
      onAnswer(slot);
    },
  );
  return slot;
}

async function decide(compute: PipelinedCompute, slot: Slot, o: PipelineOptions): Promise<number | ParamFailure> {
  const answer = slot.answer as PromiseSettledResult<number>;
  if (slot.decided) return slot.decided;
  if (answer.status === "fulfilled") return answer.value;
  o.watching(slot.param);
  if (answer.reason instanceof CommandEnded) return evaluateParam(compute, slot.param, o.retries);
  return retryParam(compute, slot.param, answer.reason, o.retries);
}

export async function runPipelined(compute: PipelinedCompute, ranges: readonly Range[], sink: PipelineSink, o: PipelineOptions): Promise<void> {
  const inFlight: Slot[] = []; // sent (or skipped) and not yet handed on, in parameter order
  let head = 0;
  let nextRange = 0;
  let nextParam = ranges[0]?.start ?? 0;
  let lowest = 0; // index of the lowest unanswered slot (inFlight.length: none)
  let watched: Slot | undefined;
  /** Moves the watch to the lowest unanswered parameter when that changed. */
  const rewatch = () => {
    while (lowest < inFlight.length && inFlight[lowest]!.answer !== undefined) lowest++;
    const now = inFlight[lowest];
    if (now !== undefined && now !== watched) {
      watched = now;
      o.watching(now.param);
    }
  };
  const onAnswer = (slot: Slot) => {
    if (slot === inFlight[lowest]) rewatch();
  };
  /** Sends requests until `window` are in flight or every parameter has been sent. */
  const fill = () => {
    while (inFlight.length - head < compute.window && nextRange < ranges.length) {
      const range = ranges[nextRange]!;
      if (nextParam >= range.end) {
        nextRange++;
        nextParam = ranges[nextRange]?.start ?? 0;
        continue;
      }
      const param = nextParam++;
      const decided = o.skip?.get(param);
      inFlight.push(decided ? { param, answer: { status: "fulfilled", value: Number.NaN }, settled: Promise.resolve(), decided } : send(compute, param, onAnswer));
    }
    rewatch();
  };
  let draining = false;
  for (const range of ranges) {
    for (let param = range.start; param < range.end; param++) {
      if (!draining) fill();
      const slot = inFlight[head]!;
      // Answers arrive many per read: most are in before their turn, and need no await.
      if (slot.answer === undefined) await slot.settled;
      if (slot.answer?.status === "rejected" && !draining) {
        // Nothing new goes out until every request in flight has answered: a failed parameter is decided alone.
        draining = true;
        await Promise.all(inFlight.slice(head).map((s) => s.settled));
      }
      const answer = slot.answer;
      sink.outcome(param, slot.decided ?? (answer?.status === "fulfilled" ? answer.value : await decide(compute, slot, o)));
      head++;
      if (head === inFlight.length) {
        draining = false;
        inFlight.length = head = lowest = 0;
      } else if (head > 4096) {
        inFlight.splice(0, head);
        lowest -= head;
        head = 0;
      }
    }
    sink.rangeEnd();
  }
}
