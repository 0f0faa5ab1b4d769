import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";

// What a proposal's rationale may use: text formatting, lists, quotes, code, tables and
// links. No images (they would fetch from anywhere), no raw HTML, no forms or styles.
const allowedTags = ["p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"];

/**
 * Markdown (GitHub flavoured) to sanitized HTML: marked parses, DOMPurify keeps only
 * `allowedTags` and safe links. With `topHeading`, the text's headings are moved so
 * its highest one is at that level (relative levels kept): an author's "# Title"
 * must not outrank, or skip below, the page's own headings around it.
 */
export function renderMarkdown(source: string, topHeading?: number | undefined): string {
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
  if (topHeading) shiftHeadings(template.content, topHeading);
  return template.innerHTML;
}

function shiftHeadings(root: DocumentFragment, topHeading: number): void {
  const headings = [...root.querySelectorAll("h1, h2, h3, h4, h5, h6")];
  if (headings.length === 0) return;
  const highest = Math.min(...headings.map((h) => Number(h.tagName[1])));
  for (const heading of headings) {
    const level = Math.min(6, Number(heading.tagName[1]) - highest + topHeading);
    const moved = root.ownerDocument.createElement(`h${level}`);
    moved.append(...heading.childNodes);
    heading.replaceWith(moved);
  }
}

/** A proposal's rationale (or any user Markdown), rendered sanitized; `topHeading` as in `renderMarkdown`. */
export function Markdown({ source, className, topHeading }: { source: string; className?: string | undefined; topHeading?: number | undefined }) {
  const html = useMemo(() => renderMarkdown(source, topHeading), [source, topHeading]);
  return <div className={className ? `markdown ${className}` : "markdown"} dangerouslySetInnerHTML={{ __html: html }} />;
}
