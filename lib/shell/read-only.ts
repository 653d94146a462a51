// Which commands only look: a dry run still runs these, so its preview names exact objects
// (cleanup resolves pod names with `kubectl get` before printing the deletes it would run).
const KUBECTL_READ_ONLY = new Set(["get", "version", "cluster-info", "describe", "api-resources", "config", "auth"]);

/** Global options that take a value before the verb (`kubectl --context X get ...`, `git -C dir ...`). */
const VALUE_OPTIONS = new Set(["--context", "--namespace", "-n", "--kubeconfig", "--cluster", "--user", "-C"]);

function commandVerb(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

export function isReadOnlyCommand(cmd: string, args: readonly string[]): boolean {
  const verb = commandVerb(args);
  switch (cmd) {
    case "kubectl":
      if (verb === "config") return args.includes("current-context") || args.includes("get-contexts") || args.includes("view");
      return verb !== undefined && KUBECTL_READ_ONLY.has(verb);
    case "kind":
      return verb === "get" || verb === "version";
    case "docker":
      if (verb === "exec") return args.includes("crictl") && args.includes("images");
      return verb === "ps" || verb === "version" || verb === "info" || (verb === "image" && args.includes("inspect")) || verb === "inspect";
    case "git":
      return verb === "rev-parse" || verb === "describe" || verb === "status";
    default:
      return false;
  }
}
