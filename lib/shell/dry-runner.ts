// --dry-run by swapping the runner: mutating commands are printed ("would run: ...") and
// return empty output; read-only ones (lib/shell/read-only.ts) still run, so the preview
// lists the exact objects a real run would touch.
import { formatCommand, type Run, type RunningCommand, type Shell } from "./run.ts";
import { isReadOnlyCommand } from "./read-only.ts";
import { requireTool } from "./tools.ts";

function dryRunner(real: Run, print: (line: string) => void): Run {
  return async (cmd, args, opts = {}) => {
    if (opts.readOnly ?? isReadOnlyCommand(cmd, args)) return real(cmd, args, opts);
    requireTool(cmd);
    print(`would run: ${formatCommand(cmd, args)}${opts.inputSummary ? `  # ${opts.inputSummary}` : ""}`);
    return { stdout: "", stderr: "", exitCode: 0 };
  };
}

export function dryShell(real: Shell, print: (line: string) => void): Shell {
  return {
    run: dryRunner(real.run, print),
    start: (cmd, args) => {
      requireTool(cmd);
      print(`would run: ${formatCommand(cmd, args)}`);
      const done: RunningCommand = { onLine: () => undefined, exited: Promise.resolve(0), kill: () => undefined };
      return done;
    },
    dryRun: true,
  };
}

/** The shell a script uses: real, or dry-run printing to `print`. */
export function chooseShell(real: Shell, dryRun: boolean, print: (line: string) => void): Shell {
  return dryRun ? dryShell(real, print) : real;
}
