// Bad input: an error the user causes and can fix (a flag, a variable, a missing tool, an
// unreachable broker, a run id taken by another plan). Every such error extends this class,
// and top-level handlers check it with instanceof to exit 2.
export class BadInput extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
