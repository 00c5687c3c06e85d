/** A position in a list ordered by (time, id): where the previous page ended. */
export interface KeysetPosition {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly id: string;
}
