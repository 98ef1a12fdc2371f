/**
 * Every property test draws from one seed: random each run (fast-check's
 * own), or the one in FC_SEED, so `scripts/seeds.sh` can run them under many
 * seeds and any failure can be replayed exactly.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
