// Bad flags: one line naming the flag and what it accepts; exit code 2.
import { BadInput } from "./bad-input.ts";

export class UsageError extends BadInput {}
