import type { Command } from 'commander';
import { startDashboard } from '../../dashboard/server.js';
import type { CliIo } from '../cli-io.js';
import { withClient } from '../open-client.js';
import { shownDatabase } from '../../store/postgres/pg-connection.js';
import { CODEC_HELP, DEFAULT_DATABASE, integerOption, type DatabaseOptions } from './common.js';

interface DashboardCommandOptions extends Pick<DatabaseOptions, 'db' | 'codec'> {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
}

/** `tempolite dashboard`: serves the web dashboard until Ctrl-C / SIGTERM. */
export function dashboardCommand(program: Command, io: CliIo): void {
  program
    .command('dashboard')
    .description('serve the web dashboard (runs, trees, actions); loopback only unless a token is set')
    .option('--db <file-or-url>', 'SQLite file or PostgreSQL URL of the Tempolite database', DEFAULT_DATABASE)
    .option('--codec <module>', CODEC_HELP)
    .option('--host <host>', 'address to bind; a non-loopback address needs --token', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', integerOption(0, 65_535), 7070)
    .option('--token <token>', 'access token every request must present (default: $TEMPOLITE_DASHBOARD_TOKEN)')
    .action(async (options: DashboardCommandOptions) => {
      const token = options.token ?? process.env.TEMPOLITE_DASHBOARD_TOKEN;
      await withClient(options, async (engine) => {
        const dashboard = await startDashboard({ engine, host: options.host, port: options.port, label: shownDatabase(options.db), ...(token !== undefined ? { token } : {}) });
        io.out(`Tempolite dashboard on ${dashboard.url}\n`);
        await io.interrupted();
        await dashboard.close();
      });
    });
}
