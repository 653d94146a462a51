// The sweep file's shape (YAML or JSON), validated once at the edge: the first bad field is
// named by its exact path ("axes.x.linspace[2]") in a one-line BadInput.
import { z } from "zod";
import { BadInput } from "../script/bad-input.ts";
import { rangeCount, type AxisSpec } from "./axis-values.ts";
import { AXIS_NAME, AXIS_NAME_RULE, RESERVED_AXIS_NAMES, RESERVED_RULE } from "./axis-names.ts";

const count = z.number().int().min(1, "a count must be at least 1");
const triple = z.tuple([z.number(), z.number(), count]);
const scalar = z.union([z.number(), z.string()]);

/** A list of values, or an object with exactly one generator: list, linspace, logspace, range. */
const axisSchema = z.preprocess(
  (raw) => (Array.isArray(raw) ? { list: raw } : raw),
  z
    .strictObject({
      list: z.array(scalar).min(1, "an axis needs at least one value").optional(),
      linspace: triple.optional(),
      logspace: triple.optional(),
      range: z
        .tuple([z.number(), z.number(), z.number().refine((s) => s !== 0, "the step must not be 0")])
        .refine(([start, stop, step]) => rangeCount(start, stop, step) > 0, "the range is empty (stop must lie beyond start in the step's direction)")
        .optional(),
    })
    .superRefine((axis, ctx) => {
      const kinds = Object.keys(axis).filter((k) => axis[k as keyof typeof axis] !== undefined);
      if (kinds.length !== 1) ctx.addIssue({ code: "custom", message: `give exactly one of a list, linspace, logspace or range (got ${kinds.length})` });
    }),
);

const axisName = z
  .string()
  .regex(AXIS_NAME, AXIS_NAME_RULE)
  .refine((name) => !RESERVED_AXIS_NAMES.includes(name), RESERVED_RULE);

export const sweepFileSchema = z
  .strictObject({
    axes: z.record(axisName, axisSchema).optional(),
    mode: z.enum(["grid", "random"]).default("grid"),
    samples: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).max(0xffff_ffff).default(0),
    points: z.string().min(1).optional(),
  })
  .superRefine((sweep, ctx) => {
    const hasAxes = sweep.axes !== undefined;
    if (hasAxes === (sweep.points !== undefined)) ctx.addIssue({ code: "custom", message: "give either axes or points", path: ["axes"] });
    else if (hasAxes && Object.keys(sweep.axes ?? {}).length === 0) ctx.addIssue({ code: "custom", message: "give at least one axis", path: ["axes"] });
    if (sweep.mode === "random" && sweep.samples === undefined) ctx.addIssue({ code: "custom", message: "mode random needs samples: N", path: ["samples"] });
    if (sweep.mode === "grid" && sweep.samples !== undefined) ctx.addIssue({ code: "custom", message: "samples applies to mode random only", path: ["samples"] });
  });

export type SweepFile = z.infer<typeof sweepFileSchema>;

/** `axes.x.linspace[2]` from zod's path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "") || "(top level)";
}

/** The validated sweep file, or a BadInput naming the first bad field and how to fix it. */
export function validateSweepFile(raw: unknown, file: string): SweepFile {
  const parsed = sweepFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const where = fieldPath([...issue.path, issue.keys[0] ?? ""]);
    throw new BadInput(`Cannot use sweep file ${file}: ${where}: unknown key; remove it or correct its spelling (docs/own-algorithm.md "Sweeps").`);
  }
  const where = fieldPath(issue?.path ?? []);
  // A bad axis name: zod reports "Invalid key in record" and keeps the reason inside.
  const message = issue?.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue?.message;
  throw new BadInput(`Cannot use sweep file ${file}: ${where}: ${message ?? "invalid"}; fix that field (docs/own-algorithm.md "Sweeps").`);
}

/** The axis spec without the optional keys the schema allows. */
export function axisSpecOf(axis: NonNullable<SweepFile["axes"]>[string]): AxisSpec {
  if (axis.list) return { list: axis.list };
  if (axis.linspace) return { linspace: axis.linspace };
  if (axis.logspace) return { logspace: axis.logspace };
  return { range: axis.range as readonly [number, number, number] };
}
