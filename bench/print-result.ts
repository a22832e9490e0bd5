/** What `npm run bench` measured: the fields of its `--json` line. */
export interface BenchResult {
  readonly durability: string;
  readonly quick: boolean;
  readonly raw_txn_us: number;
  readonly step_us: number;
  readonly step_ratio: number;
  readonly raw_step_txn_us: number;
  readonly step_vs_raw_step: number;
  readonly timed_step_us: number;
  readonly seq_wf_ms_median: number;
  readonly seq_wf_ms_p99: number;
  readonly throughput_wf_s: number;
  readonly throughput_steps_s: number;
  readonly resume_steps: number;
  readonly resume_ms_10k: number;
  readonly resume_ratio: number;
  readonly step_us_by_workflow_length: Readonly<Record<string, number>>;
  readonly seq_wf_ms_by_history: Readonly<Record<string, number>>;
  readonly sleeping_workflows: number;
  readonly sleeping_100k_rss_mb: number;
  readonly pg_throughput_wf_s?: Readonly<Record<string, number>>;
}

/** `10: 311 µs, 100: 295 µs` for a curve keyed by size. */
function curve(values: Readonly<Record<string, number>>, unit: string): string {
  return Object.entries(values)
    .map(([size, value]) => `${Number(size).toLocaleString('en-US')}: ${value} ${unit}`)
    .join(', ');
}

/** The result as a two-column table with units, one metric per line. */
export function formatResult(r: BenchResult): string {
  const rows: [string, string][] = [
    ['durability', `${r.durability}${r.quick ? ' (--quick: smaller sizes, noisier figures)' : ''}`],
    ['raw better-sqlite3, one-row transaction', `${r.raw_txn_us} µs`],
    ["raw better-sqlite3, one step's three rows (the layout's floor)", `${r.raw_step_txn_us} µs`],
    ['step of a 1,000-step workflow', `${r.step_us} µs = ${r.step_ratio}× the raw transaction, ${r.step_vs_raw_step}× the floor`],
    ['the same step with an attempt timeout', `${r.timed_step_us} µs`],
    ['three-step workflows one after another', `median ${r.seq_wf_ms_median} ms, p99 ${r.seq_wf_ms_p99} ms`],
    ['three-step workflows started at once', `${r.throughput_wf_s} workflows/s (${r.throughput_steps_s} steps/s)`],
    [`re-entering a workflow of ${r.resume_steps.toLocaleString('en-US')} completed steps`, `${r.resume_ms_10k} ms = ${r.resume_ratio}× a raw read of its rows`],
    ['per step, by steps in the workflow', curve(r.step_us_by_workflow_length, 'µs')],
    ['three-step workflow, by finished workflows in the file', curve(r.seq_wf_ms_by_history, 'ms')],
    [`${r.sleeping_workflows.toLocaleString('en-US')} workflows asleep`, `${r.sleeping_100k_rss_mb} MB RSS over idle`],
    ...(r.pg_throughput_wf_s !== undefined ? [['PostgreSQL, by worker processes', curve(r.pg_throughput_wf_s, 'workflows/s')] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
