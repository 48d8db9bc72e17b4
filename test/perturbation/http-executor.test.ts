// HTTP executor against real node:http servers on 127.0.0.1 that serve handleShardRequest: the merged result
// equals the in-process one; a failing endpoint's shards are retried on another; a dead endpoint too.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusFor } from '../../src/core/errors.js';
import { explainWith } from '../../src/core/perturbation/engine.js';
import { httpExecutors } from '../../src/core/perturbation/executors/http.js';
import type { ShardEvent } from '../../src/core/perturbation/executors/types.js';
import { explainSharded, handleShardRequest } from '../../src/core/perturbation/shards.js';
import { occlusionMethod } from '../../src/explainers/occlusion.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { maxAbs, maxAbsDiff, referenceInput, referenceModel, request } from './helpers.js';

const model = referenceModel('fmnist_cnn');
const input = referenceInput('fmnist_cnn', 'fmnist_test_00001');

function serve(opts: { failFirst?: number } = {}): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  let failures = opts.failFirst ?? 0;
  const server = createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (failures > 0) {
        failures--;
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'busy' } }));
        return;
      }
      try {
        const out = await handleShardRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')), async (id) => {
          if (id !== model.id) throw new Error(`no model ${id}`);
          return model;
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      } catch (err) {
        res.writeHead(httpStatusFor(err), { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: (err as Error).message } }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/shards`, hits: () => hits })));
}

describe('HTTP executor', () => {
  const servers: Server[] = [];
  let a: Awaited<ReturnType<typeof serve>>;
  let b: Awaited<ReturnType<typeof serve>>;
  let flaky: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    a = await serve();
    b = await serve();
    flaky = await serve({ failFirst: 2 });
    servers.push(a.server, b.server, flaky.server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await model.dispose();
  });

  it('occlusion over two endpoints equals the in-process result', async () => {
    const req = request(model, input, occlusionMethod, { target: 2, params: { window: '4', stride: '2' } });
    const ref = await explainWith(occlusionMethod, req);
    const e = await explainSharded('occlusion', req, { shards: 7, executors: httpExecutors({ endpoints: [a.url, b.url], input }) });
    expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
    expect(a.hits()).toBeGreaterThan(0);
    expect(b.hits()).toBeGreaterThan(0);
  });

  it('retries on another endpoint when one answers 503 or is down', async () => {
    const req = request(model, input, riseMethod, { target: 2, seed: 3, params: { masks: 300, grid: 4 } });
    const ref = await explainWith(riseMethod, req);
    const events: ShardEvent[] = [];
    const dead = 'http://127.0.0.1:9/api/shards';
    const e = await explainSharded('rise', req, { shards: 5, executors: httpExecutors({ endpoints: [flaky.url, dead, a.url], input }), onEvent: (ev) => events.push(ev) });
    expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
    const retried = new Set(events.filter((ev) => ev.type === 'retry').map((ev) => ev.executor));
    expect(retried.has(flaky.url) || retried.has(dead)).toBe(true);
  });

  it('a 400 from the server (shard for another input) fails the run without retries', async () => {
    const req = request(model, input, riseMethod, { params: { masks: 20 } });
    const other = referenceInput('fmnist_cnn', 'fmnist_test_00002');
    await expect(explainSharded('rise', req, { shards: 2, executors: httpExecutors({ endpoints: [a.url, b.url], input: other }) })).rejects.toThrow(/HTTP 400.*digest/);
  });
});
