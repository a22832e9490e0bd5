// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { runApproval } from './approval.js';

await runApproval({ database: './approval.db' });
