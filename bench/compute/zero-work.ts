// The bench's zero-work compute module: the module path's counterpart of zero-work.py.
export function compute(_paramId: number): number {
  return 0;
}
