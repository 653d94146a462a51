// --fault-demo: one worker SIGKILLed at --fault-at of the run, as soon as the run can tell. First
// choice is the worker whose line brings the run to that share (queue: the chunks it says it took,
// so it holds them; static: its slice's progress): the kill leaves work to take over. Otherwise a progress reading does it, from the
// results read or the broker's count of chunks done. Until the kill, a progress read stops at that
// share, so a coordinator behind its workers still sees the moment.
import type { Platform } from "../platforms/platform.ts";
import type { RunLedger } from "../report/run-ledger.ts";
import type { ProgressSnapshot, ProgressView } from "./progress-snapshot.ts";
import type { RunDriver } from "./run-driver.ts";
import type { SweepConfig } from "./sweep-config.ts";

export type FaultDemoDeps = { platform: Platform; driver: RunDriver; ledger: RunLedger; view: ProgressView };

export class FaultDemo {
  readonly #cfg: Pick<SweepConfig, "faultAt" | "params" | "platform">;
  readonly #deps: FaultDemoDeps;
  #due: boolean;
  /** Worker id -> when the fault demo killed it: the moment of death, whenever the exit is noticed. */
  readonly victims = new Map<string, Date>();

  constructor(cfg: Pick<SweepConfig, "faultDemo" | "faultAt" | "params" | "platform">, deps: FaultDemoDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    // A resumed run whose fault was injected before the interruption is not hit twice.
    this.#due = cfg.faultDemo && deps.ledger.faults.length === 0;
  }

  /** The parameters done at which a progress read stops while the fault is still due. */
  get readMark(): number | undefined {
    return this.#due ? Math.ceil(this.#cfg.faultAt * this.#cfg.params) : undefined;
  }

  /** After each worker line: the line that brings the run to the moment has its worker killed. */
  afterLine(workerId: string): void {
    if (!this.#due) return;
    const line = this.#deps.driver.lineProgress;
    if (!line || line.share < this.#cfg.faultAt) return;
    this.#inject(`${percent(line.share)} of ${line.of}`, { id: workerId, after: line.after }).catch((error: Error) => this.#deps.view.say(`warning: fault demo: ${error.message}`));
  }

  /** After each progress reading: the moment, for workers whose lines do not show it. */
  async afterReading(snap: ProgressSnapshot): Promise<void> {
    // Whichever says it first: the results read, or the broker's count of chunks done.
    const done = Math.max(snap.paramsDone / this.#cfg.params, (snap.chunksDoneOnBroker ?? 0) / snap.chunksExpected);
    if (!this.#due || done < this.#cfg.faultAt) return;
    await this.#inject(`${percent(done)} progress`);
  }

  /** The run settled: a fault still due never came (a run over between two readings) and says so. */
  settled(): void {
    if (this.#due) this.#none(`the run settled before ${percent(this.#cfg.faultAt)} of it was seen`);
  }

  async #inject(at: string, preferred?: { id: string; after: string }): Promise<void> {
    this.#due = false;
    const { platform, driver, ledger, view } = this.#deps;
    const running = platform.workers().filter((w) => w.status === "running");
    const first = preferred?.id;
    const ids = running.map((w) => w.id).sort((a, b) => Number(b === first) - Number(a === first));
    const victim = running.find((w) => w.id === driver.pickVictim(ids));
    if (!victim) return this.#none("no worker was running at that moment");
    const when = new Date();
    this.victims.set(victim.id, when);
    await platform.kill(victim.id, "SIGKILL");
    ledger.fault({ at: when.toISOString(), worker: victim.id, kind: "kill" });
    const just = preferred && victim.id === preferred.id ? `, right after ${preferred.after}` : "";
    const what = `killed worker ${victim.id} (${this.#cfg.platform === "kind" ? "pod" : "pid"} ${victim.handle}) with SIGKILL at ${at}${just}`;
    ledger.note("fault", what, when);
    view.say(`FAULT INJECTED: ${what}`);
  }

  #none(why: string): void {
    this.#deps.ledger.note("note", `fault demo: no worker was killed: ${why}`);
    this.#deps.view.say(`fault demo: no worker was killed: ${why}`);
  }
}

function percent(share: number): string {
  return `${Math.round(100 * share)}%`;
}
