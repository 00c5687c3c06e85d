import { runDriver } from '../processes';

/** The revocation list filled to a million ended sessions, as drivers/revocation-scale.ts reports it. */
export interface RevocationScale {
  readonly entries: number;
  readonly lookupNsEmpty: number;
  readonly lookupNsFull: number;
  readonly heapBytes: number;
  readonly bytesPerEntry: number;
}

/** Lookup time and memory of the revocation list, empty and full, measured in a process of its own. */
export const measureRevocationScale = () => runDriver<RevocationScale>('revocation-scale', []);
