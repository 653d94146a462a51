// TypeScript for a COMPUTE_MODULE where tsx is not registered yet (the bundled worker's compute
// thread and sandbox child). Both of tsx's hooks: a .ts file outside a "type": "module" package
// is CommonJS to tsx, and with the ESM hook alone Node 20 fails it with "Cannot require() ES
// Module … in a cycle".
export function isTypeScriptPath(path: string | undefined): boolean {
  return /\.(?:[cm]?ts|tsx)$/i.test(path ?? "");
}

export async function registerTypeScript(): Promise<void> {
  const [esm, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
  esm.register();
  cjs.register();
}
