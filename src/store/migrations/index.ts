import { InitialSchema1763800000000 } from './initial-schema.js';

export { InitialSchema1763800000000 } from './initial-schema.js';

/** Every Tempolite migration, oldest first. Append only: released migrations never change. */
export const TEMPOLITE_MIGRATIONS = [InitialSchema1763800000000];
