// The chunks taken over from a dead worker, said on the screen as the run's timeline records them:
// the first few in full, then a count per reading, so a kill of a worker holding hundreds of chunks
// stays readable. The report keeps every one.
import type { RunLedger } from "../report/run-ledger.ts";
import type { ProgressView } from "./progress-snapshot.ts";

export class RecoveryLines {
  readonly #ledger: RunLedger;
  readonly #view: Pick<ProgressView, "say">;
  readonly #inFull: number;
  /** Timeline entries already looked at, and recoveries said in full. */
  #seen = 0;
  #said = 0;

  constructor(ledger: RunLedger, view: Pick<ProgressView, "say">, inFull = 3) {
    this.#ledger = ledger;
    this.#view = view;
    this.#inFull = inFull;
  }

  /** Says the recoveries recorded since the last call. */
  sayNew(): void {
    const timeline = this.#ledger.timeline;
    const fresh = timeline.slice(this.#seen).filter((e) => e.event === "recovered");
    this.#seen = timeline.length;
    let more = 0;
    for (const e of fresh) {
      if (this.#said >= this.#inFull) more++;
      else {
        this.#said++;
        this.#view.say(`RECOVERED: ${e.detail}`);
      }
    }
    if (more > 0) this.#view.say(`RECOVERED: ${more} more chunk(s) taken over (every one is in the report)`);
  }
}
