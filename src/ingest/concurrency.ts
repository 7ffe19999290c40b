// Resources of one source are fetched at once, up to a bound, while the warehouse connection they share
// is used by one batch at a time: a batch's transaction spans its appends, and one connection holds
// one transaction.

/** One holder at a time; waiters get it in the order they asked. */
export class Lock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** The release function if the lock was free (and is now the caller's), else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.held) return undefined;
    this.held = true;
    return this.releaser();
  }

  /** Resolves, once the lock is the caller's, to the function that releases it. */
  acquire(): Promise<() => void> {
    const release = this.tryAcquire();
    if (release) return Promise.resolve(release);
    return new Promise((resolve) => this.waiters.push(() => resolve(this.releaser())));
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handed straight to the next waiter, so nobody can slip in between.
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
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
