// Self-test of the Doubao Seedance (Volcengine Ark) mock (t/mocks/seedance.mjs),
// driven directly with fetch: no nginx involved.
// Run from t/: node --test integration/mock_seedance.test.mjs

import assert from 'node:assert/strict';
import { fetchJson } from '../lib/http.mjs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { pngBytes } from '../mocks/media.mjs';
import { startSeedanceMock } from '../mocks/seedance.mjs';

const TASKS = '/api/v3/contents/generations/tasks';
const PRO = 'doubao-seedance-1-0-pro-250528';
const TASK_ID = /^cgt-\d{14}-[a-z0-9]{5}$/;

function client(mock) {
  const auth = (key = mock.apiKey) => ({ Authorization: `Bearer ${key}` });
  const call = (path, { headers = auth(), ...options } = {}) => fetchJson(mock.url, path, { headers, ...options });
  const create = (body, options) => call(TASKS, { method: 'POST', body, ...options });
  const get = (id) => call(`${TASKS}/${id}`);
  async function pollUntilDone(id) {
    const seen = [];
    for (const deadline = Date.now() + 3000; Date.now() < deadline; await sleep(20)) {
      const { status, json } = await get(id);
      assert.equal(status, 200);
      if (seen.at(-1) !== json.status) seen.push(json.status);
      if (json.status === 'succeeded' || json.status === 'failed') return { json, seen };
    }
    throw new Error(`task ${id} did not finish`);
  }
  return { auth, call, create, get, pollUntilDone };
}

const text = (value) => ({ type: 'text', text: value });
const image = (url, role) => ({ type: 'image_url', image_url: { url }, ...(role ? { role } : {}) });
const PNG = `data:image/png;base64,${pngBytes().toString('base64')}`;

describe('Seedance mock', () => {
  let mock;
  let api;
  before(async () => {
    mock = await startSeedanceMock({ processingAfterMs: 100, doneAfterMs: 400 });
    api = client(mock);
  });
  after(() => mock?.close());

  const expectError = (result, status, code, param) => {
    assert.equal(result.status, status, JSON.stringify(result.json));
    assert.equal(result.json.error.code, code);
    assert.equal(typeof result.json.error.message, 'string');
    if (param !== undefined) assert.equal(result.json.error.param, param);
  };

  test('image-to-video: create, poll queued -> running -> succeeded, download content.video_url', async () => {
    const created = await api.create({
      model: PRO,
      content: [text('a lighthouse at dusk'), image(PNG, 'first_frame')],
      resolution: '720p', ratio: '16:9', duration: 5, seed: 42, camera_fixed: false, watermark: false,
    });
    assert.equal(created.status, 200);
    assert.deepEqual(Object.keys(created.json), ['id']);
    const { id } = created.json;
    assert.match(id, TASK_ID);

    const { json, seen } = await api.pollUntilDone(id);
    assert.equal(seen[0], 'queued');
    assert.equal(seen.at(-1), 'succeeded');
    assert.ok(seen.every((status) => ['queued', 'running', 'succeeded'].includes(status)), `saw ${seen}`);
    assert.equal(json.id, id);
    assert.equal(json.model, PRO);
    assert.equal(json.error, null);
    assert.equal(json.seed, 42);
    assert.equal(json.resolution, '720p');
    assert.equal(json.ratio, '16:9');
    assert.equal(json.duration, 5);
    assert.equal(json.framespersecond, 24);
    assert.ok(Number.isInteger(json.created_at) && json.updated_at >= json.created_at);
    assert.ok(json.usage.completion_tokens > 0);
    assert.equal(json.usage.total_tokens, json.usage.completion_tokens);

    const video = await fetch(json.content.video_url);
    assert.equal(video.status, 200);
    assert.deepEqual(Buffer.from(await video.arrayBuffer()), mock.videoBytes(id));

    // Text-to-video with defaults and an http(s) image URL variant both pass.
    const t2v = await api.create({ model: 'doubao-seedance-1-0-lite-t2v-250428', content: [text('waves')] });
    assert.equal(t2v.status, 200);
    const i2v = await api.create({ model: 'doubao-seedance-1-0-lite-i2v-250428', content: [image('https://img.example/a.png', 'reference_image'), text('p')] });
    assert.equal(i2v.status, 200);
  });

  test('missing or wrong API key: 401 AuthenticationError, nothing created', async () => {
    const before = mock.createCount();
    for (const headers of [{}, api.auth('wrong'), { Authorization: mock.apiKey }]) {
      const result = await api.create({ model: PRO, content: [text('p')] }, { headers });
      assert.equal(result.status, 401);
      assert.equal(result.json.error.code, 'AuthenticationError');
      assert.equal(result.json.error.type, 'Unauthorized');
      assert.equal(result.json.error.message, 'The API key in the request is missing or invalid.');
    }
    expectError(await api.call(`${TASKS}/cgt-x`, { headers: api.auth('wrong') }), 401, 'AuthenticationError');
    assert.equal(mock.createCount(), before);
  });

  test('unknown fields, content items and bad values are rejected with InvalidParameter', async () => {
    const before = mock.createCount();
    const bad = (extra, content = [text('p')]) => api.create({ model: PRO, content, ...extra });
    expectError(await bad({ prompt: 'p' }), 400, 'InvalidParameter', 'prompt');
    expectError(await bad({}, [{ type: 'video_url', video_url: { url: 'https://v.example/a.mp4' } }]), 400, 'InvalidParameter', 'content[0].type');
    expectError(await bad({}, [{ type: 'text', text: 'p', extra: 1 }]), 400, 'InvalidParameter', 'content[0].extra');
    expectError(await bad({}, [text('p'), { type: 'image_url', image_url: { url: PNG, detail: 'high' } }]), 400, 'InvalidParameter', 'content[1].image_url.detail');
    expectError(await bad({}, [text('a'), text('b')]), 400, 'InvalidParameter', 'content[1]');
    expectError(await bad({}, [image(PNG, 'last_frame')]), 400, 'InvalidParameter', 'content');
    expectError(await bad({}, [image('data:image/jpeg;base64,aGVsbG8=')]), 400, 'InvalidParameter', 'content[0].image_url.url');
    expectError(await bad({ duration: 13 }), 400, 'InvalidParameter', 'duration');
    expectError(await bad({ resolution: '720P' }), 400, 'InvalidParameter', 'resolution');
    expectError(await bad({ ratio: '2:1' }), 400, 'InvalidParameter', 'ratio');
    expectError(await bad({ watermark: 'false' }), 400, 'InvalidParameter', 'watermark');
    expectError(await bad({}, []), 400, 'InvalidParameter', 'content');
    expectError(await api.create({ model: PRO }), 400, 'MissingParameter', 'content');
    expectError(await api.create({ content: [text('p')] }), 400, 'MissingParameter', 'model');
    expectError(await api.create({ model: 'seedance-pro', content: [text('p')] }), 404, 'InvalidEndpointOrModel.NotFound');
    expectError(await api.create({ model: 'doubao-seedance-1-0-lite-t2v-250428', content: [text('p'), image(PNG)] }), 400, 'InvalidParameter');
    expectError(await api.create({ model: 'doubao-seedance-1-0-lite-i2v-250428', content: [text('p')] }), 400, 'InvalidParameter');
    expectError(await api.create('{"model":', {}), 400, 'InvalidParameter');
    expectError(await api.call(`${TASKS}/cgt-20250101000000-zzzzz`), 404, 'ResourceNotFound');
    expectError(await api.call('/api/v3/contents/generations/task', { method: 'POST', body: { model: PRO, content: [text('p')] } }), 404, 'ResourceNotFound');
    assert.equal(mock.createCount(), before);
  });

  test('[mock:fail]: status failed with an error object and no content', async () => {
    const created = await api.create({ model: PRO, content: [text('storm [mock:fail]')] });
    assert.equal(created.status, 200);
    const { json } = await api.pollUntilDone(created.json.id);
    assert.equal(json.status, 'failed');
    assert.equal(json.error.code, 'OutputVideoSensitiveContentDetected');
    assert.ok(json.error.message.length > 0);
    assert.equal(json.content, undefined);
    assert.equal(json.usage, undefined);
  });

  test('DELETE cancels a queued task, deletes a finished one; faults use Ark error shapes', async () => {
    const slow = await startSeedanceMock({ processingAfterMs: 5000, doneAfterMs: 6000 });
    try {
      const slowApi = client(slow);
      const { json: { id } } = await slowApi.create({ model: PRO, content: [text('p')] });
      const cancelled = await slowApi.call(`${TASKS}/${id}`, { method: 'DELETE' });
      assert.equal(cancelled.status, 200);
      assert.equal((await slowApi.get(id)).json.status, 'cancelled');
      expectError(await slowApi.call(`${TASKS}/${id}`, { method: 'DELETE' }), 400, 'InvalidParameter');
    } finally {
      await slow.close();
    }

    const { json: { id } } = await api.create({ model: PRO, content: [text('p')] });
    await api.pollUntilDone(id);
    assert.equal((await api.call(`${TASKS}/${id}`, { method: 'DELETE' })).status, 200);
    expectError(await api.get(id), 404, 'ResourceNotFound');

    mock.failNext({ on: 'create', status: 429 });
    const limited = await api.create({ model: PRO, content: [text('p')] });
    expectError(limited, 429, 'RateLimitExceeded.EndpointRPMExceeded');
    assert.equal(limited.json.error.type, 'TooManyRequests');
    mock.failNext({ on: 'query', status: 500 });
    const broken = await api.get(id);
    expectError(broken, 500, 'InternalServiceError');
    assert.equal(broken.json.error.type, 'InternalServerError');
  });
});
