// A broker URL fit for a message or a log line: the password replaced by ***.
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(an invalid URL)";
  }
}
