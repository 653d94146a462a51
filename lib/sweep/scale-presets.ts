// The demo's --scale presets: the original's small and medium, and a larger one.
export type ScalePreset = { params: number; chunkSize: number; workMs: number; note: string };

export const SCALE_PRESETS = {
  small: { params: 1_000, chunkSize: 10, workMs: 10, note: "1K params, 100 chunks, 100 ms per chunk" },
  medium: { params: 10_000, chunkSize: 100, workMs: 10, note: "10K params, 100 chunks, 1 s per chunk" },
  large: { params: 100_000, chunkSize: 250, workMs: 1, note: "100K params, 400 chunks, 250 ms per chunk" },
} as const satisfies Record<string, ScalePreset>;

export type ScaleName = keyof typeof SCALE_PRESETS;
export const SCALE_NAMES = Object.keys(SCALE_PRESETS) as ScaleName[];
