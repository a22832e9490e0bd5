import { Activity, Tempolite, Workflow, formatRunTree, silentLogger, workflowContext } from '../../src/index.js';

/** A feed whose new items are polled in rounds. */
export class FeedPoller {
  static feed: string[] = [];

  @Activity({ name: 'poller.fetch' })
  async fetch(cursor: number): Promise<{ items: string[]; cursor: number }> {
    const items = FeedPoller.feed.slice(cursor, cursor + 2);
    return { items, cursor: cursor + items.length };
  }

  /**
   * Polls the feed; every `roundsPerGeneration` rounds it continues as new,
   * so the checkpoints a re-entry loads never grow without bound, carrying the cursor and the
   * count forward. Stops when the feed is drained.
   */
  @Workflow({ name: 'poller.run' })
  async run(cursor: number, seen: number, roundsPerGeneration: number): Promise<{ seen: number; generation: number }> {
    for (let round = 0; round < roundsPerGeneration; round++) {
      const page = await this.fetch(cursor);
      if (page.items.length === 0) return { seen, generation: workflowContext().generation };
      cursor = page.cursor;
      seen += page.items.length;
    }
    return workflowContext().continueAsNew(cursor, seen, roundsPerGeneration);
  }
}

/** Runs the continue-as-new example on `database`. */
export async function runPolling(options: { database: string; items: number; roundsPerGeneration: number; log?: (line: string) => void }) {
  const log = options.log ?? ((line: string) => console.log(line));
  FeedPoller.feed = Array.from({ length: options.items }, (_, i) => `item-${i}`);
  const engine = new Tempolite({ database: options.database, register: [FeedPoller], logger: silentLogger });
  await engine.start();
  try {
    const handle = await engine.startWorkflow(FeedPoller, 'run', [0, 0, options.roundsPerGeneration], { id: `poller-${Date.now()}` });
    const result = await handle.result();
    const description = await handle.describe();
    log(`saw ${result.seen} items over ${result.generation + 1} generations (${description.executions.length} executions, one workflow entity)`);
    log(formatRunTree(description));
    return { ...result, executions: description.executions.length };
  } finally {
    await engine.close();
  }
}
