// Idempotency-Key on creates, kept in the embedded store (a shared-memory
// zone): the same key and caller make one vendor task and get the same
// video, concurrently and across workers; another create under the key is
// a 422; an answer a retry could change gives the key back. (The SDKs
// send no key of their own: callers pass the header as a request option.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai-7.59';
import OpenAI649 from 'openai-6.49';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines } from '../lib/gateway.mjs';
import { get, postJson, TENANT_B } from '../lib/http.mjs';

let kling;
let openai;
let gw;
const gateways = [];

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  openai = await startOpenAIMock({ inProgressAfterMs: 50, doneAfterMs: 150 });
  gw = await startGateway({ name: 'idempotency', workers: 2, http: vendorLines({ kling, openai }) });
  gateways.push(gw);
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
});

let serial = 0;
const freshKey = () => `key-${process.pid}-${Date.now()}-${serial++}`;
const create = (body, key, options = {}) =>
  postJson(gw.url, '/v1/videos', body, { ...options, headers: { 'Idempotency-Key': key, ...(options.headers ?? {}) } });

test('the same key replays the first answer: one vendor task, one video id', async () => {
  const key = freshKey();
  const before = kling.createCount();
  const first = await create({ model: 'kling-v2-6', prompt: 'once' }, key);
  assert.equal(first.status, 200, first.text);
  const again = await create({ model: 'kling-v2-6', prompt: 'once' }, key);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.text, first.text, 'the very same answer');
  assert.equal(kling.createCount(), before + 1);
  const other = await create({ model: 'kling-v2-6', prompt: 'once' }, freshKey());
  assert.notEqual(other.json.id, first.json.id, 'another key is another video');
  assert.equal(kling.createCount(), before + 2);
});

test('the key with a different create is a 422; another caller has keys of its own', async () => {
  const key = freshKey();
  const first = await create({ model: 'sora-2', prompt: 'first body' }, key);
  assert.equal(first.status, 200, first.text);
  const changed = await create({ model: 'sora-2', prompt: 'second body' }, key);
  assert.equal(changed.status, 422, changed.text);
  assert.equal(changed.json.error.code, 'idempotency_key_reused');
  const otherCaller = await create({ model: 'sora-2', prompt: 'first body' }, key, { auth: TENANT_B });
  assert.equal(otherCaller.status, 200, otherCaller.text);
  assert.notEqual(otherCaller.json.id, first.json.id);
  assert.equal((await get(gw.url, `/v1/videos/${otherCaller.json.id}`, { auth: TENANT_B })).status, 200);
});

test('concurrent creates with one key, on two workers, make one task; the SDK retries the 409 and gets the same video', async () => {
  const key = freshKey();
  const before = kling.createCount();
  // The vendor takes its time, so every request arrives while the first runs.
  kling.failNext({ afterCreate: { delayMs: 400 } });
  const raw = await Promise.all(Array.from({ length: 6 }, () => create({ model: 'kling-v2-6', prompt: 'racing' }, key)));
  const ok = raw.filter((r) => r.status === 200);
  const busy = raw.filter((r) => r.status === 409);
  assert.equal(ok.length + busy.length, raw.length, raw.map((r) => r.status).join(','));
  assert.ok(ok.length >= 1);
  for (const r of busy) {
    assert.equal(r.json.error.code, 'idempotency_key_in_use');
    assert.ok(Number(r.headers['retry-after']) >= 1);
  }
  assert.equal(kling.createCount(), before + 1);

  const sdkKey = freshKey();
  kling.failNext({ afterCreate: { delayMs: 400 } });
  const client = new OpenAI({ apiKey: 'sk-client-tenant-a', baseURL: `${gw.url}/v1` });
  const videos = await Promise.all(Array.from({ length: 4 }, () =>
    client.videos.create({ model: 'kling-v2-6', prompt: 'sdk race' }, { headers: { 'Idempotency-Key': sdkKey } })));
  assert.equal(new Set(videos.map((v) => v.id)).size, 1, 'every call got the same video');
  assert.equal(kling.createCount(), before + 2);
});

test('a multipart SDK (a new boundary on every send) replays under its key', async () => {
  const client = new OpenAI649({ apiKey: 'sk-client-tenant-a', baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const key = freshKey();
  const before = openai.createCount();
  const a = await client.videos.create({ model: 'sora-2', prompt: 'multipart', seconds: '4' }, { headers: { 'Idempotency-Key': key } });
  const b = await client.videos.create({ model: 'sora-2', prompt: 'multipart', seconds: '4' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(b.id, a.id);
  assert.equal(openai.createCount(), before + 1);
  await assert.rejects(client.videos.create({ model: 'sora-2', prompt: 'multipart', seconds: '8' }, { headers: { 'Idempotency-Key': key } }),
    (e) => e instanceof OpenAI649.UnprocessableEntityError);
});

test('a failure that made no task gives the key back; one that may have made one is replayed', async () => {
  const key = freshKey();
  const before = kling.createCount();
  kling.failNext({ on: 'create', status: 429, body: { code: 1302, message: 'rate too high', request_id: 'r' } });
  const refused = await create({ model: 'kling-v2-6', prompt: 'retry me' }, key);
  assert.equal(refused.status, 429, refused.text);
  assert.notEqual(refused.headers['x-should-retry'], 'false');
  const retried = await create({ model: 'kling-v2-6', prompt: 'retry me' }, key);
  assert.equal(retried.status, 200, retried.text);
  assert.equal(kling.createCount(), before + 1);

  const uncertain = freshKey();
  kling.failNext({ afterCreate: 'garbage' });
  const spoiled = await create({ model: 'kling-v2-6', prompt: 'maybe made' }, uncertain);
  assert.equal(spoiled.status, 502, spoiled.text);
  assert.equal(spoiled.headers['x-should-retry'], 'false');
  const replayed = await create({ model: 'kling-v2-6', prompt: 'maybe made' }, uncertain);
  assert.equal(replayed.status, 502);
  assert.equal(replayed.text, spoiled.text);
  assert.equal(kling.createCount(), before + 2, 'no second task behind an uncertain one');
});

test('the unified dialect honours the key; keys survive a reload', async () => {
  const key = freshKey();
  const first = await postJson(gw.url, '/v1/video/generations', { model: 'kling-v2-6', prompt: 'unified' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 200, first.text);
  await gw.reload();
  const again = await postJson(gw.url, '/v1/video/generations', { model: 'kling-v2-6', prompt: 'unified' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.task_id, first.json.task_id);
  const tooLong = await create({ model: 'kling-v2-6', prompt: 'x' }, 'k'.repeat(300));
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.json.error.code, 'invalid_idempotency_key');
});
