// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { runPolling } from './polling.js';

await runPolling({ database: './continue-as-new.db', items: 11, roundsPerGeneration: 2 });
