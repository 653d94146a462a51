// The external tools TTG shells out to, and what to tell a user who lacks one.
import { which } from "zx";
import { BadInput } from "../script/bad-input.ts";

const TOOL_INSTALL: Record<string, string> = {
  kind: "install it from https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  docker: "install Docker Engine or Docker Desktop from https://docs.docker.com/get-docker/ and start it",
  kubectl: "install it from https://kubernetes.io/docs/tasks/tools/#kubectl",
  git: "install git from https://git-scm.com/downloads",
};

/** A missing tool is bad input (exit 2): the user can fix it by installing the tool. */
export class ToolMissingError extends BadInput {
  readonly tool: string;
  constructor(tool: string) {
    super(`Cannot find ${tool}: ${TOOL_INSTALL[tool] ?? `install ${tool} and put it on PATH`}`);
    this.tool = tool;
  }
}

const found = new Map<string, boolean>();

export function hasTool(tool: string, path = process.env.PATH): boolean {
  const key = `${tool}\0${path ?? ""}`;
  let ok = found.get(key);
  if (ok === undefined) {
    ok = which.sync(tool, { nothrow: true, ...(path === undefined ? {} : { path }) }) !== null;
    found.set(key, ok);
  }
  return ok;
}

export function requireTool(tool: string, path = process.env.PATH): void {
  if (!hasTool(tool, path)) throw new ToolMissingError(tool);
}
