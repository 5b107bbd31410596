// Self-test of the Alibaba Wan (DashScope) mock, straight fetch, no nginx.
// Run from t/: node --test integration/mock_wan.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { pngBytes } from '../mocks/media.mjs';
import { startWanMock } from '../mocks/wan.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CST_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;
const CREATE = '/api/v1/services/aigc/video-generation/video-synthesis';

describe('Wan (DashScope) mock', () => {
  let wan;
  before(async () => {
    wan = await startWanMock({ processingAfterMs: 150, doneAfterMs: 400 });
  });
  after(() => wan.close());

  const headers = (extra = {}) => ({
    authorization: `Bearer ${wan.apiKey}`,
    'content-type': 'application/json',
    'x-dashscope-async': 'enable',
    ...extra,
  });
  async function create(body, { path = CREATE, headers: h = headers() } = {}) {
    const response = await fetch(`${wan.url}${path}`, { method: 'POST', headers: h, body: JSON.stringify(body) });
    return { status: response.status, json: await response.json() };
  }
  async function poll(taskId, key = wan.apiKey) {
    const response = await fetch(`${wan.url}/api/v1/tasks/${taskId}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, json: await response.json() };
  }
  async function pollUntilDone(taskId) {
    const seen = [];
    for (let i = 0; i < 100; i++) {
      const { status, json } = await poll(taskId);
      assert.equal(status, 200);
      seen.push(json.output.task_status);
      if (!['PENDING', 'RUNNING'].includes(json.output.task_status)) return { json, seen };
      await sleep(15);
    }
    throw new Error('task never finished');
  }

  test('t2v and i2v: create -> PENDING/RUNNING -> SUCCEEDED, video_url serves mock.videoBytes', async () => {
    const { status, json } = await create({
      model: 'wan2.5-t2v-preview',
      input: { prompt: 'a cat surfing', negative_prompt: 'blurry' },
      parameters: { size: '1280*720', duration: 10, prompt_extend: false, watermark: false, audio: true, seed: 42 },
    });
    assert.equal(status, 200);
    assert.match(json.request_id, UUID);
    assert.equal(json.output.task_status, 'PENDING');
    const taskId = json.output.task_id;
    assert.match(taskId, UUID);

    const { json: done, seen } = await pollUntilDone(taskId);
    assert.equal(seen[0], 'PENDING');
    assert.equal(done.output.task_status, 'SUCCEEDED');
    assert.equal(done.output.task_id, taskId);
    assert.equal(done.output.orig_prompt, 'a cat surfing');
    for (const field of ['submit_time', 'scheduled_time', 'end_time']) assert.match(done.output[field], CST_TIME);
    assert.deepEqual(done.usage, { video_duration: 10, video_ratio: '1280*720', video_count: 1 });

    const video = await fetch(done.output.video_url);
    assert.equal(video.status, 200);
    assert.deepEqual(Buffer.from(await video.arrayBuffer()), wan.videoBytes(taskId));

    // i2v with a data URL image, resolution instead of size.
    const i2v = await create({
      model: 'wan2.2-i2v-flash',
      input: { prompt: 'the picture comes alive', img_url: `data:image/png;base64,${pngBytes().toString('base64')}` },
      parameters: { resolution: '720P', duration: 5 },
    });
    assert.equal(i2v.status, 200, JSON.stringify(i2v.json));
    const i2vDone = (await pollUntilDone(i2v.json.output.task_id)).json;
    assert.equal(i2vDone.output.task_status, 'SUCCEEDED');
    assert.equal(i2vDone.usage.video_ratio, '720P');
  });

  test('auth: bad key 401 InvalidApiKey, missing X-DashScope-Async 403, unknown task 200 UNKNOWN', async () => {
    const body = { model: 'wanx2.1-t2v-turbo', input: { prompt: 'x' } };
    const badKey = await create(body, { headers: headers({ authorization: 'Bearer nope' }) });
    assert.equal(badKey.status, 401);
    assert.equal(badKey.json.code, 'InvalidApiKey');
    assert.equal(badKey.json.message, 'Invalid API-key provided.');
    assert.match(badKey.json.request_id, UUID);

    const { 'x-dashscope-async': _, ...sync } = headers();
    const syncCall = await create(body, { headers: sync });
    assert.equal(syncCall.status, 403);
    assert.deepEqual([syncCall.json.code, syncCall.json.message], ['AccessDenied', 'current user api does not support synchronous calls']);

    assert.equal((await poll('0385dc79-5ff8-4d82-bcb6-000000000000', 'nope')).status, 401);
    const unknown = await poll('0385dc79-5ff8-4d82-bcb6-000000000000');
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.json.output, { task_id: '0385dc79-5ff8-4d82-bcb6-000000000000', task_status: 'UNKNOWN' });
    assert.equal(wan.createCount(), 2, 'only the first test created tasks');
  });

  test('rejects unknown fields and model/field mismatches with 400 InvalidParameter', async () => {
    const before = wan.createCount();
    const png = `data:image/png;base64,${pngBytes().toString('base64')}`;
    const cases = [
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, extra: 1 }, /"extra"/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x', image: 'https://a/b.png' } }, /"image"/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, parameters: { aspect_ratio: '16:9' } }, /"aspect_ratio"/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, parameters: { resolution: '1080P' } }, /"resolution"/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, parameters: { size: '1280*720' } }, /size/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, parameters: { duration: 10 } }, /duration/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x' }, parameters: { audio: true } }, /"audio"/],
      [{ model: 'wan2.2-t2v-plus', input: {} }, /input\.prompt/],
      [{ model: 'wan2.2-i2v-plus', input: { prompt: 'x' } }, /input\.img_url/],
      [{ model: 'wan2.2-i2v-plus', input: { img_url: png }, parameters: { size: '1920*1080' } }, /"size"/],
      [{ model: 'wan2.2-i2v-plus', input: { img_url: 'data:image/png;base64,AAAA' } }, /img_url/],
      [{ model: 'wan9-t2v', input: { prompt: 'x' } }, /Model not exist/],
      [{ model: 'wanx2.1-kf2v-plus', input: { first_frame_url: png } }, /Model not exist/], // wrong endpoint
    ];
    for (const [body, message] of cases) {
      const { status, json } = await create(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json.code, 'InvalidParameter');
      assert.match(json.message, message);
      assert.match(json.request_id, UUID);
    }
    const kf2v = await create(
      { model: 'wanx2.1-kf2v-plus', input: { first_frame_url: png, last_frame_url: 'https://example.com/last.png' } },
      { path: '/api/v1/services/aigc/image2video/video-synthesis' },
    );
    assert.equal(kf2v.status, 200, JSON.stringify(kf2v.json));
    const wrongPath = await create({ model: 'wan2.2-t2v-plus', input: { prompt: 'x' } }, { path: '/api/v1/services/aigc/video-generation/generation' });
    assert.equal(wrongPath.status, 404);
    assert.equal(wan.createCount(), before + 1);
  });

  test('[mock:fail] ends FAILED with DataInspectionFailed; injected 429 is Throttling.RateQuota', async () => {
    const { json } = await create({ model: 'wanx2.1-t2v-plus', input: { prompt: 'forbidden [mock:fail]' } });
    const { json: done } = await pollUntilDone(json.output.task_id);
    assert.equal(done.output.task_status, 'FAILED');
    assert.equal(done.output.code, 'DataInspectionFailed');
    assert.equal(done.output.message, 'Output data may contain inappropriate content.');
    assert.equal(done.output.video_url, undefined);
    assert.equal(done.usage, undefined);

    wan.failNext({ on: 'create', status: 429 });
    const throttled = await create({ model: 'wanx2.1-t2v-plus', input: { prompt: 'x' } });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.code, 'Throttling.RateQuota');
    wan.failNext({ on: 'query', status: 500 });
    const internal = await poll(json.output.task_id);
    assert.equal(internal.status, 500);
    assert.equal(internal.json.code, 'InternalError');
  });
});
