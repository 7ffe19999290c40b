// Resources of one source are fetched at once, up to a bound, while the warehouse connection they share
// is used by one batch at a time: a batch's transaction spans its appends, and one connection holds
// one transaction.

/** A place in a Lock's line: `granted` turns true (and `ready` resolves) when it is the holder's turn. */
export interface Turn {
  readonly granted: boolean;
  readonly ready: Promise<void>;
  /** Ends the turn, or gives up the place in line if it has not come yet. Calling it again does nothing. */
  release(): void;
}

/** One holder at a time; turns are granted in the order they were asked for. */
export class Lock {
  private held = false;
  private readonly line: Array<{ grant: () => void; cancelled: () => boolean }> = [];

  request(): Turn {
    let granted = false;
    let done = false;
    let grant!: () => void;
    const ready = new Promise<void>((resolve) => (grant = () => ((granted = true), resolve())));
    const turn: Turn = {
      get granted() {
        return granted;
      },
      ready,
      release: () => {
        if (done) return;
        done = true;
        if (granted) this.next();
      },
    };
    if (this.held) this.line.push({ grant, cancelled: () => done });
    else {
      this.held = true;
      grant();
    }
    return turn;
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.request();
    try {
      await turn.ready;
      return await fn();
    } finally {
      turn.release();
    }
  }

  /** Hands the lock straight to the next waiter still in line, so nobody slips in between. */
  private next(): void {
    let waiter = this.line.shift();
    while (waiter?.cancelled()) waiter = this.line.shift();
    if (waiter) waiter.grant();
    else this.held = false;
  }
}

/**
 * Calls fn for each item, at most `limit` at once, starting them in order. After a failure no more
 * are started; the running ones finish, then the first error is thrown.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
