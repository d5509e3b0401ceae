/**
 * What a request leaves for after its answer: its log line and its count in the metrics. Run
 * on a timer, once the event loop has been idle: the client waiting for the answer gets the
 * CPU first (on a box with few cores the work right after an answer's write delays its
 * reader: ~0.1 ms per write measured here, a tenth of what a POST costs besides its fsync).
 * In order; `flush` runs what waits at once (before a metrics scrape, and at shutdown).
 */
export class AfterAnswer {
  private queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  add(work: () => void): void {
    this.queue.push(work);
    this.timer ??= setTimeout(() => this.flush(), 1);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queue = this.queue;
    this.queue = [];
    for (const work of queue) work();
  }
}
