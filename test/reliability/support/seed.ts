// One fixed seed per run, printed, so a failure replays exactly; RELIABILITY_SEED=<n> picks another.

const defaultSeed = 20261207;
const fromEnv = process.env.RELIABILITY_SEED;
export const seed = fromEnv && /^-?\d+$/.test(fromEnv) ? Number(fromEnv) : defaultSeed;

export function announceSeed(part: string): number {
  console.log(`reliability ${part}: seed ${seed} (replay with RELIABILITY_SEED=${seed})`);
  return seed;
}
