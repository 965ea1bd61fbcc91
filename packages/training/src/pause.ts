/**
 * Pausing and stopping `fit` from outside it (a page's Pause, Resume and Stop buttons, a worker's messages): a pause
 * switch that `fit` waits on between steps, and any AbortSignal as the stop. Both act at step boundaries only: a step
 * in progress always finishes, so that the weights, the optimizer and the epoch's sums stay consistent.
 */

/** What `fit` reads of an AbortSignal (the DOM's and Node's both have it). */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener?(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener?(type: 'abort', listener: () => void): void;
}

/** Holds `fit` between two steps while paused. */
export interface PauseSwitch {
  readonly paused: boolean;
  /** Pauses after the step in progress. */
  pause(): void;
  /** Lets `fit` go on. */
  resume(): void;
  /** Resolves at once when not paused, else when `resume()` is called. */
  whenResumed(): Promise<void>;
}

/**
 * A pause switch for `fit`'s `pause` option. While paused, `fit` holds between steps: no time counts toward images/s,
 * and an aborted `signal` still ends the run.
 * @example
 * const pause = createPauseSwitch();
 * const stop = new AbortController();
 * const training = fit(vae, data, { epochs: 5, pause, signal: stop.signal });
 * pause.pause(); // … later: pause.resume(), or stop.abort() to end after the current step
 */
export function createPauseSwitch(): PauseSwitch {
  let paused = false;
  let waiting: (() => void)[] = [];
  return {
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      const release = waiting;
      waiting = [];
      for (const resolve of release) resolve();
    },
    whenResumed() {
      return paused ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve();
    },
  };
}

/** Waits while `pause` is paused, ending the wait early when `signal` is aborted. */
export async function waitWhilePaused(pause: PauseSwitch | undefined, signal: StopSignal | undefined): Promise<void> {
  if (!pause?.paused || signal?.aborted) return;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal?.addEventListener?.('abort', onAbort, { once: true });
  });
  try {
    // a signal without addEventListener is polled
    const poll = signal && !signal.addEventListener ? pollAborted(signal) : null;
    await Promise.race([pause.whenResumed(), aborted, ...(poll ? [poll.done] : [])]);
    poll?.cancel();
  } finally {
    signal?.removeEventListener?.('abort', onAbort);
  }
}

// helpers

function pollAborted(signal: StopSignal): { done: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (signal.aborted) resolve();
    }, 50);
  });
  return { done, cancel: () => clearInterval(timer) };
}
