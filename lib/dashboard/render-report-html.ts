// report.md as HTML for the dashboard (marked, CommonMark + GitHub tables). Pictures and links
// relative to the report's folder point at the dashboard's file route, and raw HTML in the
// Markdown (an error message a compute function threw, say) is shown as text, never run.
import { Marked } from "marked";

const escapeHtml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** A relative href ("progress.svg") rebased under `base`; absolute ones and anchors stay. */
function rebase(href: string, base: string): string {
  if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(href)) return href;
  return `${base}/${href.replace(/^\.\//, "")}`;
}

export function renderReportHtml(markdown: string, fileBase: string): string {
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: { html: ({ text }) => escapeHtml(text) },
    walkTokens: (token) => {
      if (token.type === "image" || token.type === "link") token.href = rebase(token.href, fileBase);
    },
  });
  return marked.parse(markdown) as string;
}
