import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";

// What a proposal's rationale may use: text formatting, lists, quotes, code, tables and
// links. No images (they would fetch from anywhere), no raw HTML, no forms or styles.
const allowedTags = ["p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"];

/** Markdown (GitHub flavoured) to sanitized HTML: marked parses, DOMPurify keeps only `allowedTags` and safe links. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  const clean = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: ["href", "title"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  });
  // Links leave the dApp in a new tab without handing it `window.opener` or the referrer.
  const template = document.createElement("template");
  template.innerHTML = clean;
  for (const a of template.content.querySelectorAll("a")) {
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer nofollow");
  }
  return template.innerHTML;
}

/** A proposal's rationale (or any user Markdown), rendered sanitized. */
export function Markdown({ source, className }: { source: string; className?: string | undefined }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={className ? `markdown ${className}` : "markdown"} dangerouslySetInnerHTML={{ __html: html }} />;
}
