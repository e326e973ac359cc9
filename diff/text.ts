/**
 * Small pure text helpers of the semantic diff: a line diff (LCS) and Markdown quoting that
 * survives backticks and pipes in titles and PromQL.
 */

/** One line of a line diff: kept, removed (before only) or added (after only). */
export interface DiffLine {
  readonly op: " " | "-" | "+";
  readonly text: string;
}

/** Line diff of two texts (longest common subsequence); an absent side counts as no lines. */
export function lineDiff(before: string | undefined, after: string | undefined): DiffLine[] {
  const a = before === undefined ? [] : before.split("\n");
  const b = after === undefined ? [] : after.split("\n");
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: " ", text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: "-", text: a[i++] });
    else out.push({ op: "+", text: b[j++] });
  }
  while (i < a.length) out.push({ op: "-", text: a[i++] });
  while (j < b.length) out.push({ op: "+", text: b[j++] });
  return out;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(lang: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** The line diff as the body of a ```diff block: `- `, `+ ` and two spaces for kept lines. */
export function diffBlock(before: string | undefined, after: string | undefined): string {
  return codeBlock(
    "diff",
    lineDiff(before, after)
      .map((l) => `${l.op} ${l.text}`.trimEnd())
      .join("\n"),
  );
}

/** Inline code that survives backticks inside; newlines become spaces. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  if (flat === "") return "(empty)";
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A title in double quotes, with Markdown-active characters escaped. */
export function quoted(text: string): string {
  return `"${text.replace(/\r?\n/g, " ").replace(/([\\`*_[\]<>|])/g, "\\$1")}"`;
}

/** `1 panel` / `2 panels`: the count with the singular or plural word. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
