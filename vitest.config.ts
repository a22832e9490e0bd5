import pg from 'pg';
import { defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config';

/**
 * Two projects over the same test files: `sqlite` (every test) and `postgres`
 * (the integration, example and store tests again, on a PostgreSQL server, plus
 * the multi-process scale-out tests of test/scale-out). Helpers pick the store
 * from TEMPOLITE_TEST_STORE (test/helpers/test-store.ts); each test gets its own
 * schema on the server.
 *
 * The server: TEMPOLITE_TEST_PG, else the URL `.ci/start-postgres` sets up. Without
 * one the postgres project is skipped with a note on how to get one; under CI=true
 * a missing server fails the run.
 */
const DEFAULT_PG = 'postgres://tempolite:tempolite@127.0.0.1:5432/tempolite';
const pgUrl = process.env.TEMPOLITE_TEST_PG || DEFAULT_PG;

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const pgProblem = await reachable(pgUrl);
  if (pgProblem !== undefined) {
    const how = [
      `PostgreSQL tests skipped: no server at ${pgUrl.replace(/:[^:@/]*@/, ':***@')} (${pgProblem}).`,
      'To run them: `sudo bash .ci/start-postgres` (Debian/Ubuntu; installs PostgreSQL and creates the tempolite database),',
      'or point TEMPOLITE_TEST_PG at a server where you may create schemas, e.g.',
      '  docker run -d -p 5432:5432 -e POSTGRES_USER=tempolite -e POSTGRES_PASSWORD=tempolite postgres:16',
    ].join('\n');
    if (process.env.CI === 'true') throw new Error(`CI=true and ${how}`);
    // The config is evaluated more than once per run (projects extend it): say it once.
    if (process.env.TEMPOLITE_PG_NOTE_SHOWN !== '1') console.warn(`\n${how}\n`);
    process.env.TEMPOLITE_PG_NOTE_SHOWN = '1';
  }
  return {
    test: {
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      projects: [
        {
          extends: true as const,
          test: {
            name: 'sqlite',
            include: ['test/**/*.test.ts'],
            exclude: ['test/scale-out/**'],
            env: { TEMPOLITE_TEST_STORE: 'sqlite' },
            typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
          },
        },
        ...(pgProblem === undefined
          ? ([
              {
                extends: true as const,
                test: {
                  name: 'postgres',
                  include: ['test/integration/**/*.test.ts', 'test/examples/**/*.test.ts', 'test/store/**/*.test.ts', 'test/scale-out/**/*.test.ts'],
                  // Killed fixture processes' leases expire quickly, so their workflows are taken over within a second.
                  env: { TEMPOLITE_TEST_STORE: 'postgres', TEMPOLITE_TEST_PG: pgUrl, TEMPOLITE_TEST_LEASE_MS: '600' },
                },
              },
            ] satisfies TestProjectInlineConfiguration[])
          : []),
      ],
    },
  };
});
