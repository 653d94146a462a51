// Gathers what the platform knows about the workers (running or not, how they ended, the last
// thing each one logged) and asks stall-diagnosis.ts why nothing is being accepted, once nothing
// has been for a while: the sweep shows the answer on its progress line and in the report.
import { parseLogLine } from "../log/parse-log-line.ts";
import type { Platform } from "../platforms/platform.ts";
import type { RunLedger } from "../report/run-ledger.ts";
import type { ProgressSnapshot } from "./progress-snapshot.ts";
import { diagnoseStall, type StallDiagnosis, type StallFacts, type WorkerFacts } from "./stall-diagnosis.ts";

/** How long without an accepted chunk before the progress line says why (at most half the give-up time). */
const STALL_NOTICE_SECONDS = 10;
const LINE_CHARS = 120;

export class StallWatch {
  readonly #platform: Platform;
  readonly #ledger: RunLedger;
  readonly #lastLine = new Map<string, string>();
  readonly noticeAfterSeconds: number;

  constructor(platform: Platform, ledger: RunLedger, stallSeconds: number) {
    this.#platform = platform;
    this.#ledger = ledger;
    this.noticeAfterSeconds = Math.min(STALL_NOTICE_SECONDS, stallSeconds / 2);
  }

  onLine(workerId: string, line: string): void {
    const parsed = parseLogLine(line);
    if (parsed?.event === "SUMMARY") return;
    const text = (parsed?.message ?? line).trim();
    if (text) this.#lastLine.set(workerId, text.length > LINE_CHARS ? `${text.slice(0, LINE_CHARS - 1)}…` : text);
  }

  /** Why nothing is accepted, once nothing has been for noticeAfterSeconds (at once while the broker does not answer). */
  check(snapshot: ProgressSnapshot, quietSeconds: number, unreachable?: StallFacts["unreachable"]): StallDiagnosis | undefined {
    if (quietSeconds < this.noticeAfterSeconds && !unreachable) return undefined;
    return this.diagnose(snapshot, unreachable);
  }

  diagnose(snapshot: ProgressSnapshot, unreachable?: StallFacts["unreachable"]): StallDiagnosis {
    return diagnoseStall({ snapshot, workers: this.#workers(), ...(unreachable ? { unreachable } : {}) });
  }

  #workers(): WorkerFacts[] {
    return this.#platform.workers().map((w) => {
      const running = w.status !== "exited";
      const exit = running ? undefined : (this.#ledger.perWorker.get(w.id)?.exit ?? (w.signal ? `died (${w.signal})` : `exit ${w.exitCode}`));
      const lastLine = this.#lastLine.get(w.id);
      return { id: w.id, running, ...(exit ? { exit } : {}), ...(lastLine ? { lastLine } : {}) };
    });
  }
}
