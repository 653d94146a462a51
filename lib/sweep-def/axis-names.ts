// What may name an axis, for a sweep file's keys and a points file's columns alike (kept apart from
// the sweep file's schema, so reading a points file does not load the schema's validator).

/** Names the results file uses for its own columns cannot name an axis. */
export const RESERVED_AXIS_NAMES = ["param", "value", "chunk", "worker", "cause", "error", "attempts"];

export const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const AXIS_NAME_RULE = "an axis name is a letter or _ then letters, digits, _";
export const RESERVED_RULE = `an axis cannot be named ${RESERVED_AXIS_NAMES.join(", ")} (the results file's own columns)`;

/** Why `name` cannot name an axis (a sweep file's key or a points file's column), or undefined. */
export function axisNameProblem(name: string): string | undefined {
  if (!AXIS_NAME.test(name)) return AXIS_NAME_RULE;
  return RESERVED_AXIS_NAMES.includes(name) ? RESERVED_RULE : undefined;
}
