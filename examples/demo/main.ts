// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { runDemo } from './demo.js';

await runDemo({ database: './tempolite.db' });
