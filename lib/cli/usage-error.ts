// Bad flags: one line naming the flag and what it accepts; exit code 2.
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
