// Sets environment variables for one test and removes them when it ends (compute fixtures read them).
import type { TestContext } from "node:test";

export function setEnv(t: TestContext, vars: Record<string, string>): void {
  Object.assign(process.env, vars);
  t.after(() => {
    for (const name of Object.keys(vars)) delete process.env[name];
  });
}
