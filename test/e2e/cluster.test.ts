// End to end: a coordinator and two shard-executor `wrangler dev` processes (as `npm run start:cluster`
// starts them) on free ports. RISE fanned out by the coordinator to the executors, and fanned out by a
// client over both executors, equals the single-process result.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XaiClient } from '../../src/client/index.js';
import { freePort, startWranglerDev, type DevServer } from '../helpers/wrangler-dev.js';

const samplesDir = new URL('../../models/samples/fmnist/', import.meta.url);
const first = (JSON.parse(readFileSync(new URL('index.json', samplesDir), 'utf8')) as { file: string }[])[7];
const image = readFileSync(new URL(first.file, samplesDir)).toString('base64');
const SHARD_SECRET = 'e2e-cluster-secret-0123456789';

let servers: DevServer[] = [];
let coordinator: DevServer;
let executors: DevServer[];
beforeAll(async () => {
  const ports = [await freePort(), await freePort()];
  executors = await Promise.all(ports.map((port) => startWranglerDev({ port, vars: { SHARD_SECRET } })));
  coordinator = await startWranglerDev({ vars: { SHARD_SECRET, SHARD_ENDPOINTS: executors.map((e) => `${e.url}/api/shards`).join(',') } });
  servers = [...executors, coordinator];
}, 240_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('cluster', () => {
  it('coordinator fan-out and client fan-out give the single-process RISE map', async () => {
    const body = { model: 'fmnist-cnn', method: 'rise', image, params: { masks: 400 }, seed: 3 };
    const single = await new XaiClient(executors[0].url).explain({ ...body, shards: 1 });
    const viaCoordinator = await new XaiClient(coordinator.url).explain({ ...body, shards: 2 });
    const { explanation } = await new XaiClient(coordinator.url).explainFanOut({ ...body, shards: 4 }, { servers: executors.map((e) => e.url) });
    const scale = Math.max(...single.map.data.map(Math.abs));
    for (let i = 0; i < single.map.data.length; i++) {
      expect(Math.abs(viaCoordinator.map.data[i] - single.map.data[i])).toBeLessThanOrEqual(1e-6 * scale);
      expect(Math.abs(explanation.map[i] - single.map.data[i])).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it('executors refuse unsigned shards (403)', async () => {
    const res = await fetch(`${executors[0].url}/api/shards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ shard: { method: 'rise' }, input: { shape: [1], f32: '' } }) });
    expect(res.status).toBe(403);
  });
});
