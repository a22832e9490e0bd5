import { v7 } from 'uuid';

/** A new time-ordered id (UUID v7): sorts by creation, indexes stay compact. */
export function newId(): string {
  return v7();
}
