/**
 * Transition only: the /v1 wire types moved to src/api/wire.ts (pure code imports them from there). Kept so branches
 * written before the move still build; delete once they are merged.
 */
export type * from '../api/wire.js';
