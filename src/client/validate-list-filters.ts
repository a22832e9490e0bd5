import { InvalidOptionsError } from '../errors.js';
import { refuseUnknownKeys } from '../engine/option-keys.js';
import { WORKFLOW_STATUSES } from '../store/statuses.js';
import { isStorableText, NOT_STORABLE } from '../store/storable-text.js';

/** The filters of `list()` a caller may get wrong in plain JavaScript: refused rather than matching nothing. */
export interface ListFilters {
  readonly status?: unknown;
  readonly name?: unknown;
  readonly queue?: unknown;
}

const KNOWN_KEYS: readonly string[] = ['status', 'name', 'queue', 'limit', 'offset'];

/**
 * Checks `list()`'s options other than the page: unknown keys, statuses, name and queue.
 * @throws InvalidOptionsError naming the option: an unknown key or status, an empty status list, a name or queue that is not a string
 */
export function validateListFilters(options: ListFilters): void {
  refuseUnknownKeys('list()', options, KNOWN_KEYS);
  if (options.status !== undefined) {
    const statuses: readonly unknown[] = Array.isArray(options.status) ? options.status : [options.status];
    if (statuses.length === 0) throw new InvalidOptionsError('list()', 'status', 'must name at least one status (leave it out for all)');
    for (const status of statuses) {
      if (!(WORKFLOW_STATUSES as readonly unknown[]).includes(status)) {
        throw new InvalidOptionsError('list()', 'status', `unknown status ${JSON.stringify(status) ?? String(status)}; one of ${WORKFLOW_STATUSES.join(', ')}`);
      }
    }
  }
  for (const key of ['name', 'queue'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw new InvalidOptionsError('list()', key, 'must be a string');
    if (typeof options[key] === 'string' && !isStorableText(options[key])) throw new InvalidOptionsError('list()', key, NOT_STORABLE);
  }
}
