// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { runFanOut } from './fan-out.js';

await runFanOut({ database: './fan-out.db', addresses: 20, apiLimit: 3 });
