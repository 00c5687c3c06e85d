import path from 'node:path';

// This file runs as dist/bench/paths.js: the compiled tree is one level up, the repository two.
export const DIST = path.resolve(__dirname, '..');
export const ROOT = path.resolve(DIST, '..');
