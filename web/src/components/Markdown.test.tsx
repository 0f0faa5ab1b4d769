// @vitest-environment jsdom
import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Markdown, renderMarkdown } from "./Markdown.tsx";

afterEach(cleanup);

describe("Markdown rationale", () => {
  it("renders formatting, lists, code and links", () => {
    const { container } = render(<Markdown source={"Key **leaked** in `ci.log`:\n\n- rotate\n- revoke\n\nSee [the report](https://example.com/r)."} />);
    expect(container.querySelector("strong")?.textContent).toBe("leaked");
    expect(container.querySelector("code")?.textContent).toBe("ci.log");
    expect(container.querySelectorAll("li")).toHaveLength(2);
    const link = container.querySelector("a")!;
    expect(link.getAttribute("href")).toBe("https://example.com/r");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(link.getAttribute("target")).toBe("_blank");
  });

  it("drops scripts, event handlers, javascript: links, images, iframes, styles and forms", () => {
    const hostile = [
      "<script>alert(1)</script>",
      '<img src="x" onerror="alert(2)">',
      "![tracker](https://evil.example/pixel.png)",
      "[click](javascript:alert(3))",
      '<a href="data:text/html,<script>alert(4)</script>">data</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<p style="position:fixed" onclick="alert(5)">styled</p>',
      '<form action="https://evil.example"><input name="k"></form>',
      "<svg><script>alert(6)</script></svg>",
    ].join("\n\n");
    const html = renderMarkdown(hostile);
    for (const bad of ["<script", "onerror", "onclick", "javascript:", "data:", "<img", "<iframe", "style=", "<form", "<input", "<svg", "evil.example/pixel"]) {
      expect(html.toLowerCase()).not.toContain(bad);
    }
    expect(html).toContain("styled");
  });
});
