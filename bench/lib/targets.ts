// A target and whether a figure met it, with the reason when it did not (or could not be measured).
export type TargetCheck = {
  id: string;
  target: string;
  figure: string;
  /** null: not measured (the reason says why). */
  met: boolean | null;
  reason?: string;
};

export function check(id: string, target: string, figure: string, met: boolean | null, reason?: string): TargetCheck {
  return { id, target, figure, met, ...(reason && met !== true ? { reason } : {}) };
}

export function notMeasured(id: string, target: string, reason: string): TargetCheck {
  return { id, target, figure: "not measured", met: null, reason };
}
