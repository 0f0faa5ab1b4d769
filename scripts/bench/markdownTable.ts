export type MarkdownTableParameters = {
  header: readonly string[];
  /** Per column: "l" left, "r" right (numbers). Default left. */
  align?: readonly ("l" | "r")[] | undefined;
  rows: readonly (readonly string[])[];
};

/** A GitHub-flavoured markdown table; pipes inside cells are escaped. */
export function markdownTable({ header, align = [], rows }: MarkdownTableParameters): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const lines = [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map((_, i) => (align[i] === "r" ? "---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
  return lines.join("\n");
}
