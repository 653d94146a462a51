// SIMULATE_FAULT_RATE: makes a chunk throw with the given probability.
export class SimulatedFault extends Error {
  constructor(what: string) {
    super(`Simulated fault in ${what} (SIMULATE_FAULT_RATE)`);
    this.name = "SimulatedFault";
  }
}

export function maybeFail(rate: number, what: string, random: () => number = Math.random): void {
  if (rate > 0 && random() < rate) throw new SimulatedFault(what);
}
