/** How long and how hard the benchmark runs; read once from the environment and passed to every step. */
export interface BenchSettings {
  /** BENCH_QUICK=1 shortens every phase (for trying the harness, not for numbers). */
  readonly quick: boolean;
  readonly rounds: number;
  readonly secondsPerRun: number;
  readonly stormSeconds: number;
  readonly soakSeconds: number;
  readonly connections: number;
  /** BENCH_POSTGRES_URL: where the refresh bench creates (and afterwards drops) a database of its own. */
  readonly postgresUrl: string;
}

export function loadSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  return Object.freeze({
    quick,
    rounds: quick ? 1 : 3,
    secondsPerRun: quick ? 3 : 10,
    stormSeconds: quick ? 5 : 15,
    soakSeconds: quick ? 20 : 300,
    connections: 50,
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
}
