/** A clock the test moves by hand; no test sleeps to let time pass. */
export class TestClock {
  constructor(private ms: number = Date.UTC(2026, 0, 15, 12, 0, 0)) {}

  readonly now = (): number => this.ms;

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
