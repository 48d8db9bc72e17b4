// Executors: the worker-thread pool gives the in-process answer; failed shards are retried on another
// executor, a bounded number of times; a run with a shard that keeps failing is an error, never a partial map;
// progress events arrive per shard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../../src/core/errors.js';
import { explainWith } from '../../src/core/perturbation/engine.js';
import { createWorkerPool, type WorkerPool } from '../../src/core/perturbation/executors/worker-pool.node.js';
import type { ShardEvent, ShardExecutor } from '../../src/core/perturbation/executors/types.js';
import { explainSharded, inProcessExecutor } from '../../src/core/perturbation/shards.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { maxAbs, maxAbsDiff, referenceInput, referenceModel, request } from './helpers.js';
import { workerEntryUrl } from './worker-entry.js';

const model = referenceModel('tinycnn');
const input = referenceInput('tinycnn', 'rand32_1');

describe('worker-thread pool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = createWorkerPool({ model, input, workers: 2, threads: 1, workerUrl: await workerEntryUrl() });
  });
  afterAll(async () => {
    await pool.close();
    await model.dispose();
  });

  for (const [method, params, samples] of [
    [riseMethod, { masks: 200, grid: 6 }, 200],
    [limeMethod, { samples: 120, segmentation: 'slic', segments: 20 }, 120],
  ] as const) {
    it(`${method.name} on 2 workers and 5 shards equals the in-process result`, async () => {
      const req = request(model, input, method, { target: 2, seed: 21, batchSize: 16, params });
      const ref = await explainWith(method, req);
      const events: ShardEvent[] = [];
      const progress: number[] = [];
      const e = await explainSharded(method.name, { ...req, onProgress: (d) => progress.push(d) }, { shards: 5, executors: pool.executors, onEvent: (ev) => events.push(ev) });
      expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
      const done = events.filter((ev) => ev.type === 'done');
      expect(done.map((ev) => ev.shard).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(done.map((ev) => ev.executor)).size).toBe(2);
      expect(events.some((ev) => ev.type === 'progress')).toBe(true);
      expect(progress[progress.length - 1]).toBe(samples);
    });
  }

  it('a worker that dies mid-shard: the shard is retried on the other worker', async () => {
    const req = request(model, input, riseMethod, { seed: 5, params: { masks: 400, grid: 5 } });
    const ref = await explainWith(riseMethod, req);
    let killed = false;
    const events: ShardEvent[] = [];
    const e = await explainSharded('rise', req, {
      shards: 4,
      executors: pool.executors,
      onEvent: (ev) => {
        events.push(ev);
        if (!killed && ev.type === 'progress' && ev.executor === 'worker#1') {
          killed = true;
          void pool.executors[0].stop(3);
        }
      },
    });
    expect(killed).toBe(true);
    expect(events.some((ev) => ev.type === 'retry')).toBe(true);
    expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
  });
});

describe('scheduler', () => {
  const good = inProcessExecutor({ model, input }, 'good');
  const flaky = (failures: number): ShardExecutor => {
    let left = failures;
    return {
      name: `flaky${failures}`,
      concurrency: 1,
      run: async (s, o) => {
        if (left-- > 0) throw new RuntimeFailure('connection reset');
        return good.run(s, o);
      },
    };
  };
  const broken: ShardExecutor = { name: 'broken', concurrency: 2, run: async () => { throw new RuntimeFailure('boom'); } };

  it('retries failed shards on another executor and still gives the exact answer', async () => {
    const req = request(model, input, riseMethod, { seed: 8, params: { masks: 90, grid: 4 } });
    const ref = await explainWith(riseMethod, req);
    const events: ShardEvent[] = [];
    const e = await explainSharded('rise', req, { shards: 6, executors: [broken, good], onEvent: (ev) => events.push(ev) });
    expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
    const retries = events.filter((ev) => ev.type === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((ev) => ev.executor === 'broken')).toBe(true);
    const e2 = await explainSharded('rise', req, { shards: 3, executors: [flaky(2)] });
    expect(maxAbsDiff(e2.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
  });

  it('gives up after maxAttempts and names every attempt; never returns a partial map', async () => {
    const req = request(model, input, riseMethod, { seed: 8, params: { masks: 30, grid: 4 } });
    await expect(explainSharded('rise', req, { shards: 3, executors: [broken], maxAttempts: 3 })).rejects.toThrow(/failed 3 time\(s\).*attempt 1.*attempt 2.*attempt 3/);
  });

  it('does not retry a caller error (wrong input) and reports it', async () => {
    const req = request(model, input, riseMethod, { params: { masks: 30 } });
    const wrong = inProcessExecutor({ model, input: referenceInput('tinycnn', 'rand32_0') }, 'wrong-input');
    await expect(explainSharded('rise', req, { shards: 2, executors: [wrong] })).rejects.toThrow(/failed 1 time\(s\).*digest/);
  });
});
