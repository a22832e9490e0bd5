/** A one-shot gate: `wait()` resolves once `open()` has been called. */
export class Latch<T = void> {
  private resolveFn!: (value: T) => void;
  private opened = false;
  readonly promise: Promise<T>;

  constructor() {
    this.promise = new Promise<T>((resolve) => (this.resolveFn = resolve));
  }

  open(value: T): void {
    this.opened = true;
    this.resolveFn(value);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  wait(): Promise<T> {
    return this.promise;
  }
}
