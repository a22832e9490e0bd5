import { Activity, Tempolite, Workflow, formatRunTree, silentLogger } from '../../src/index.js';

/** Stands in for a third-party API whose key allows only a few calls at once. */
export class GeocodingApi {
  static inFlight = 0;
  static maxInFlight = 0;

  @Activity({ name: 'fanout.geocode', retry: { maxAttempts: 3, initialIntervalMs: 50 } })
  async geocode(address: string): Promise<{ address: string; lat: number; lng: number }> {
    GeocodingApi.inFlight += 1;
    GeocodingApi.maxInFlight = Math.max(GeocodingApi.maxInFlight, GeocodingApi.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const hash = [...address].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 10_000, 7);
      return { address, lat: (hash % 180) - 90, lng: (hash % 360) - 180 };
    } finally {
      GeocodingApi.inFlight -= 1;
    }
  }

  /** One child per address, on the `geocoding` queue whose concurrency is the API key's limit. */
  @Workflow({ name: 'fanout.geocodeOne', queue: 'geocoding' })
  async geocodeOne(address: string): Promise<{ address: string; lat: number; lng: number }> {
    return this.geocode(address);
  }

  /** Fans out one child per address and gathers the results, in input order. */
  @Workflow({ name: 'fanout.geocodeAll' })
  async geocodeAll(addresses: string[]): Promise<{ address: string; lat: number; lng: number }[]> {
    return Promise.all(addresses.map((address) => this.geocodeOne(address)));
  }
}

/** Runs the fan-out example on `database` and returns what it observed. */
export async function runFanOut(options: { database: string; addresses: number; apiLimit: number; log?: (line: string) => void }) {
  const log = options.log ?? ((line: string) => console.log(line));
  const engine = new Tempolite({
    database: options.database,
    register: [GeocodingApi],
    logger: silentLogger,
    queues: { geocoding: { concurrency: options.apiLimit } },
  });
  await engine.start();
  try {
    GeocodingApi.maxInFlight = 0;
    const addresses = Array.from({ length: options.addresses }, (_, i) => `${i + 1} Main Street`);
    const handle = await engine.startWorkflow(GeocodingApi, 'geocodeAll', [addresses], { id: `fan-out-${Date.now()}` });
    const results = await handle.result();
    const description = await handle.describe();
    log(`${results.length} addresses geocoded by ${description.children.length} child workflows; at most ${GeocodingApi.maxInFlight} API calls at once (limit ${options.apiLimit})`);
    log(formatRunTree({ ...description, children: description.children.slice(0, 3) }));
    return { results, children: description.children.length, maxInFlight: GeocodingApi.maxInFlight };
  } finally {
    await engine.close();
  }
}
