// A bounded window of tasks in flight whose results are drained in submission order, however they
// finish. Why these bounds: docs/decisions/0002-window-of-chunks-in-flight.md.

export interface WindowBounds {
  /** push() waits while this many tasks are unfinished. */
  unfinished: number;
  /** push() waits while this many tasks are held (unfinished, or finished behind an unfinished one). */
  held: number;
}

export class OrderedWindow<T> {
  private readonly queue: Promise<T>[] = [];
  private readonly settled = new WeakSet<Promise<T>>();
  private unfinished = 0;
  private wake: (() => void) | null = null;

  /** `drain` receives each result in submission order; a rejected task throws from push()/flush(), in order. */
  constructor(
    private readonly bounds: WindowBounds,
    private readonly drain: (result: T) => void | Promise<void>,
  ) {}

  /** Tasks submitted and not yet drained. */
  get size(): number {
    return this.queue.length;
  }

  /** Add a task; drain what is ready in order; resolve when the window has room again. */
  async push(task: Promise<T>): Promise<void> {
    this.unfinished++;
    const done = () => {
      this.unfinished--;
      this.settled.add(task);
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    task.then(done, done); // also marks a rejection handled: it is thrown when drained, in order
    this.queue.push(task);
    for (;;) {
      await this.drainReady();
      if (this.unfinished < this.bounds.unfinished && this.queue.length < this.bounds.held) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Drain every task, in order. */
  async flush(): Promise<void> {
    while (this.queue.length) await this.drain(await this.queue.shift()!);
  }

  /** Wait for every task to settle without draining (after a failure, before the pool goes away). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.queue);
  }

  private async drainReady(): Promise<void> {
    while (this.queue.length > 0 && this.settled.has(this.queue[0])) await this.drain(await this.queue.shift()!);
  }
}

/** Buffers handed back after use, reused for later tasks (at most `max` kept). */
export class BufferPool {
  private free: ArrayBuffer[] = [];
  constructor(private readonly max: number) {}
  take = (minBytes: number): ArrayBuffer => {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].byteLength >= minBytes) {
        const b = this.free[i];
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return b;
      }
    }
    return new ArrayBuffer(minBytes);
  };
  give(b: ArrayBuffer): void {
    if (this.free.length < this.max) this.free.push(b);
  }
  /** Buffers waiting for reuse. */
  get count(): number {
    return this.free.length;
  }
}
