/** One line of the benchmark table: a measured figure and, where it has one, its baseline. */
export interface Row {
  name: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  ok?: boolean;
}

/** Median and 99th percentile of a sample, in the sample's unit. */
export function percentiles(sample: number[]): { median: number; p99: number } {
  const sorted = [...sample].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: at(0.5), p99: at(0.99) };
}

export const fmtMs = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;

/** Times `fn` `n` times (after `warmup` runs) and returns the durations in milliseconds. */
export async function sample(n: number, fn: () => unknown, warmup = Math.min(20, n)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

/** A Markdown table, so that README's performance section can hold it as printed. */
export function renderTable(rows: Row[]): string {
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'ok'];
  const body = rows.map((r) => [r.name, r.value, r.baseline ?? '', r.ratio ?? '', r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
