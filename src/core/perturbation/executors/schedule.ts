/**
 * The scheduler: runs every shard of a plan on a set of executors, each with its own number of slots. A shard
 * that fails is queued again for an executor it has not failed on (any executor once all have failed it),
 * at most `maxAttempts` times; then the whole run fails, naming every attempt's error. Nothing is merged
 * from an incomplete set of shards.
 */
import { InvalidInputError, RuntimeFailure } from '../../errors.js';
import type { ShardPartial, ShardSpec } from '../types.js';
import type { ShardEvent, ShardExecutor } from './types.js';

export interface ScheduleOptions {
  /** Attempts per shard, first included (default 3). */
  maxAttempts?: number;
  onEvent?: (e: ShardEvent) => void;
  signal?: AbortSignal;
}

interface Job {
  shard: ShardSpec;
  attempts: number;
  failedOn: Set<string>;
  errors: string[];
}

/**
 * Run all shards; resolves with one partial per shard, in shard order.
 * @example const partials = await runShards(plan.shards, [inProcessExecutor({ model, input })]);
 */
export async function runShards(shards: readonly ShardSpec[], executors: readonly ShardExecutor[], opts: ScheduleOptions = {}): Promise<ShardPartial[]> {
  if (executors.length === 0) throw new InvalidInputError('no shard executors given', { param: 'executors' });
  const maxAttempts = opts.maxAttempts ?? 3;
  const queue: Job[] = shards.map((shard) => ({ shard, attempts: 0, failedOn: new Set(), errors: [] }));
  const results = new Map<number, ShardPartial>();
  let inFlight = 0;
  let fatal: Error | undefined;
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);
  let wake: () => void = () => undefined;
  let wakeup = new Promise<void>((r) => (wake = r));
  const notify = () => {
    wake();
    wakeup = new Promise<void>((r) => (wake = r));
  };

  const pick = (ex: ShardExecutor): Job | undefined => {
    let i = queue.findIndex((j) => !j.failedOn.has(ex.name));
    // Every executor has failed this job already: allow any of them to try again.
    if (i < 0) i = queue.findIndex((j) => executors.every((e) => j.failedOn.has(e.name)));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };

  const slot = async (ex: ShardExecutor): Promise<void> => {
    for (;;) {
      if (fatal || abort.signal.aborted) return;
      const job = pick(ex);
      if (!job) {
        if (queue.length === 0 && inFlight === 0) return;
        await wakeup;
        continue;
      }
      inFlight++;
      job.attempts++;
      const i = job.shard.index;
      opts.onEvent?.({ type: 'start', shard: i, executor: ex.name, attempt: job.attempts });
      try {
        const partial = await ex.run(job.shard, {
          signal: abort.signal,
          onProgress: (done, total) => opts.onEvent?.({ type: 'progress', shard: i, executor: ex.name, done, total }),
        });
        if (partial.planId !== job.shard.planId || partial.start !== job.shard.start || partial.end !== job.shard.end) {
          throw new RuntimeFailure(`executor ${ex.name} returned a partial for samples ${partial.start}..${partial.end} of plan ${partial.planId.slice(0, 12)}... instead of shard ${i}`);
        }
        results.set(i, partial);
        opts.onEvent?.({ type: 'done', shard: i, executor: ex.name, attempt: job.attempts, elapsedMs: partial.elapsedMs });
      } catch (err) {
        const msg = `[${ex.name}, attempt ${job.attempts}] ${(err as Error).message ?? String(err)}`;
        job.errors.push(msg);
        job.failedOn.add(ex.name);
        // A caller's mistake (bad spec, wrong input) fails the same way everywhere: do not retry it.
        const permanent = err instanceof InvalidInputError;
        if (abort.signal.aborted) {
          fatal ??= new RuntimeFailure(`sharded run cancelled`, { code: 'cancelled' });
        } else if (permanent || job.attempts >= maxAttempts) {
          fatal ??= new RuntimeFailure(`shard ${i} of ${shards.length} (samples ${job.shard.start}..${job.shard.end}) failed ${job.attempts} time(s): ${job.errors.join('; ')}`, { code: 'shard_failed', cause: err });
          abort.abort();
        } else {
          opts.onEvent?.({ type: 'retry', shard: i, executor: ex.name, attempt: job.attempts, error: msg });
          queue.push(job);
        }
      } finally {
        inFlight--;
        notify();
      }
    }
  };

  try {
    const slots: Promise<void>[] = [];
    for (const ex of executors) for (let k = 0; k < Math.max(1, ex.concurrency); k++) slots.push(slot(ex));
    await Promise.all(slots);
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (fatal) throw fatal;
  if (opts.signal?.aborted) throw new RuntimeFailure('sharded run cancelled', { code: 'cancelled' });
  const missing = shards.filter((s) => !results.has(s.index)).map((s) => s.index);
  if (missing.length) throw new RuntimeFailure(`shards ${missing.join(', ')} produced no result`, { code: 'shard_missing' });
  return shards.map((s) => results.get(s.index)!);
}
