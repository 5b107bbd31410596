// The official openai npm SDK, unmodified: 6.49.0 (always-multipart create)
// and 6.27.0 (JSON create), against both vendors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI649, { toFile as toFile649 } from 'openai-6.49';
import OpenAI627, { toFile as toFile627 } from 'openai-6.27';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { pngBytes } from '../mocks/media.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';

let kling;
let openai;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 80, doneAfterMs: 300 });
  openai = await startOpenAIMock({ inProgressAfterMs: 80, doneAfterMs: 300 });
  gw = await startGateway({
    name: 'sdk',
    http: `${vendorLines({ kling, openai })}
    log_format wire '$request_method $uri $content_type';`,
    server: 'access_log logs/wire.log wire;',
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  const leaks = kling?.cdn.leaks ?? [];
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
  assert.deepEqual(leaks, []);
});

const sdks = [
  { name: 'openai@6.49.0', OpenAI: OpenAI649, toFile: toFile649, wire: 'multipart/form-data' },
  { name: 'openai@6.27.0', OpenAI: OpenAI627, toFile: toFile627, wire: 'application/json' },
];

const vendors = [
  { name: 'openai', model: 'sora-2', seconds: '4', size: '1280x720', mock: () => openai, bytes: (taskId) => openai.contentBytes(taskId, 'video'), lastTask: () => [...openai.videos.keys()].at(-1) },
  { name: 'kling', model: 'kling-v2-6', seconds: '8', size: '720x1280', mock: () => kling, bytes: (taskId) => kling.videoBytes(taskId), lastTask: () => [...kling.tasks.keys()].at(-1) },
];

async function waitCompleted(client, id) {
  for (let i = 0; i < 200; i++) {
    const v = await client.videos.retrieve(id);
    if (v.status === 'completed' || v.status === 'failed') return v;
    assert.ok(['queued', 'in_progress'].includes(v.status), v.status);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

for (const sdk of sdks) {
  for (const vendor of vendors) {
    test(`${sdk.name} create -> retrieve -> downloadContent via ${vendor.name}`, async () => {
      const client = new sdk.OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 0 });
      const created = await client.videos.create({ model: vendor.model, prompt: `sdk ${sdk.name}`, seconds: vendor.seconds, size: vendor.size });
      const wire = readFileSync(join(gw.dir, 'logs/wire.log'), 'utf8').trim().split('\n').filter((l) => l.startsWith('POST'));
      assert.ok(wire.at(-1).startsWith(`POST /v1/videos ${sdk.wire}`), `the SDK sent ${wire.at(-1)}`);
      assert.equal(created.object, 'video');
      assert.equal(created.status, 'queued');
      assert.match(created.id, /^video_/);
      const task = vendor.lastTask();
      const video = await waitCompleted(client, created.id);
      assert.equal(video.status, 'completed');
      assert.equal(video.id, created.id);
      assert.equal(typeof video.seconds, 'string');
      const response = await client.videos.downloadContent(created.id);
      assert.equal(response.headers.get('content-type'), 'video/mp4');
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.equal(Number(response.headers.get('content-length')), bytes.length);
      assert.ok(bytes.equals(vendor.bytes(task)), 'downloaded bytes are the vendor\'s');
    });
  }

  test(`${sdk.name} image-to-video with a file upload`, async () => {
    const client = new sdk.OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 0 });
    const png = pngBytes({ width: 2, height: 2 });
    const file = await sdk.toFile(png, 'ref.png', { type: 'image/png' });
    const created = await client.videos.create({ model: 'kling-v1-6', prompt: 'upload', input_reference: file });
    assert.equal(created.status, 'queued');
    const sent = kling.requests.filter((r) => r.method === 'POST').at(-1);
    assert.equal(sent.path, '/v1/videos/image2video');
    assert.equal(sent.body.image, png.toString('base64'));
    const video = await waitCompleted(client, created.id);
    const bytes = Buffer.from(await (await client.videos.downloadContent(created.id)).arrayBuffer());
    assert.ok(bytes.equals(kling.videoBytes([...kling.tasks.keys()].at(-1))));
    assert.equal(video.status, 'completed');
  });

  test(`${sdk.name} sees typed errors`, async () => {
    const client = new sdk.OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 0 });
    await assert.rejects(client.videos.retrieve('video_doesnotexist'), (e) => e instanceof sdk.OpenAI.NotFoundError && e.status === 404);
    await assert.rejects(
      client.videos.create({ model: 'sora-2', prompt: 'x', seconds: '10' }),
      (e) => e instanceof sdk.OpenAI.BadRequestError && e.param === 'seconds',
    );
    kling.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '1' } });
    await assert.rejects(
      client.videos.create({ model: 'kling-v1', prompt: 'x' }),
      (e) => e instanceof sdk.OpenAI.RateLimitError && e.headers.get('retry-after') === '1' && typeof e.requestID === 'string',
    );
  });
}

test('the SDK does not retry a create whose reply was lost (no duplicate task)', async () => {
  const client = new OpenAI649({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 2 });
  const before = kling.createCount();
  kling.failNext({ afterCreate: 'reset' });
  await assert.rejects(client.videos.create({ model: 'kling-v1', prompt: 'lost' }), (e) => e.status === 502);
  assert.equal(kling.createCount(), before + 1, 'x-should-retry: false stopped the SDK from retrying');
});

test('the SDK retries a rate-limited create and then succeeds', async () => {
  const client = new OpenAI649({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 2 });
  kling.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '1' } });
  const created = await client.videos.create({ model: 'kling-v1', prompt: 'retry me' });
  assert.equal(created.status, 'queued');
});
