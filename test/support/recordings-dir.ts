// The recordings of a real Asterisk 22 the tests replay. They are copied from
// the project's shared/asterisk/ into the repository so a fresh clone tests
// alone; test/recordings-sync.test.ts fails when the copy and the source differ.
import { fileURLToPath } from 'node:url';

export const RECORDINGS_DIR = fileURLToPath(new URL('../recordings/asterisk/', import.meta.url));
/** Where the source of truth lives next to a checkout, when it is there. */
export const SHARED_RECORDINGS_DIR = fileURLToPath(new URL('../../../shared/asterisk/', import.meta.url));
