// Self-test of the MiniMax Hailuo mock (t/mocks/hailuo.mjs), driven directly
// with fetch: no nginx involved.
// Run from t/: node --test integration/mock_hailuo.test.mjs

import assert from 'node:assert/strict';
import { fetchJson } from '../lib/http.mjs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { HAILUO_CODES, baseRespFault, startHailuoMock } from '../mocks/hailuo.mjs';
import { jpegBytes } from '../mocks/media.mjs';

const NUMERIC = /^\d{15}$/;
const STATUSES = ['Preparing', 'Queueing', 'Processing', 'Success', 'Fail'];

describe('Hailuo mock', () => {
  let mock;
  before(async () => {
    mock = await startHailuoMock({ processingAfterMs: 100, doneAfterMs: 400 });
  });
  after(() => mock?.close());

  const auth = (key = mock.apiKey) => ({ Authorization: `Bearer ${key}` });
  const call = (path, { headers = auth(), ...options } = {}) => fetchJson(mock.url, path, { headers, ...options });
  const create = (body, options) => call('/v1/video_generation', { method: 'POST', body, ...options });
  const query = (taskId) => call(`/v1/query/video_generation?task_id=${encodeURIComponent(taskId)}`);

  async function pollUntilDone(taskId) {
    const seen = [];
    for (const deadline = Date.now() + 3000; Date.now() < deadline; await sleep(20)) {
      const { status, json } = await query(taskId);
      assert.equal(status, 200);
      assert.ok(STATUSES.includes(json.status), `unexpected status ${json.status}`);
      if (seen.at(-1) !== json.status) seen.push(json.status);
      if (json.status === 'Success' || json.status === 'Fail') return { json, seen };
    }
    throw new Error(`task ${taskId} did not finish`);
  }

  const expectInvalid = (result, detail) => {
    assert.equal(result.status, 200);
    assert.equal(result.json.base_resp.status_code, HAILUO_CODES.invalidParams);
    assert.match(result.json.base_resp.status_msg, /^invalid params, /);
    if (detail) assert.match(result.json.base_resp.status_msg, detail);
  };

  test('text-to-video: create, poll to Success, query -> file_id -> files/retrieve -> download', async () => {
    const created = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'a red fox in snow', duration: 6, resolution: '1080P', prompt_optimizer: false });
    assert.equal(created.status, 200);
    assert.deepEqual(created.json.base_resp, { status_code: 0, status_msg: 'success' });
    const taskId = created.json.task_id;
    assert.match(taskId, NUMERIC);

    const { json: done, seen } = await pollUntilDone(taskId);
    assert.ok(seen.length >= 2 && seen[0] !== 'Success', `saw ${seen}`);
    assert.equal(done.status, 'Success');
    assert.match(done.file_id, NUMERIC);
    assert.equal(done.video_width, 1920);
    assert.equal(done.video_height, 1080);
    assert.equal(done.base_resp.status_code, 0);

    const retrieved = await call(`/v1/files/retrieve?file_id=${done.file_id}`);
    assert.equal(retrieved.status, 200);
    assert.equal(retrieved.json.base_resp.status_code, 0);
    const { file } = retrieved.json;
    assert.equal(file.file_id, Number(done.file_id)); // a JSON number here, a string in the query
    assert.equal(file.filename, 'output.mp4');
    assert.equal(file.purpose, 'video_generation');
    assert.equal(file.bytes, mock.videoBytes(taskId).length);
    assert.ok(Number.isInteger(file.created_at));
    assert.ok(file.backup_download_url.startsWith(mock.cdn.url));

    const video = await fetch(file.download_url);
    assert.equal(video.status, 200);
    assert.deepEqual(Buffer.from(await video.arrayBuffer()), mock.videoBytes(taskId));
    // The CDN refuses a download that carries the vendor key.
    assert.equal((await fetch(file.download_url, { headers: auth() })).status, 400);
  });

  test('per-model rules: image models, resolutions, durations, unknown fields and paths', async () => {
    const image = `data:image/jpeg;base64,${jpegBytes('frame').toString('base64')}`;
    const ok = await create({ model: 'I2V-01', first_frame_image: image });
    assert.equal(ok.json.base_resp.status_code, 0);
    const hailuo02 = await create({ model: 'MiniMax-Hailuo-02', prompt: 'p', first_frame_image: 'https://img.example/a.png', last_frame_image: image, duration: 10, resolution: '512P' });
    assert.equal(hailuo02.json.base_resp.status_code, 0);
    const subject = await create({ model: 'S2V-01', prompt: 'p', subject_reference: [{ type: 'character', image: [image] }] });
    assert.equal(subject.json.base_resp.status_code, 0);

    const before = mock.createCount();
    expectInvalid(await create({ model: 'T2V-01', prompt: 'p', first_frame_image: image }), /first_frame_image/);
    expectInvalid(await create({ model: 'I2V-01-live', prompt: 'p' }), /first_frame_image is required/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3-Fast', prompt: 'p' }), /first_frame_image is required/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p', resolution: '1080P', duration: 10 }), /duration 10/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p', resolution: '720P' }), /resolution/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p', duration: 5 }), /duration/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'x'.repeat(2001) }), /2000/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3' }), /prompt is required/);
    expectInvalid(await create({ model: 'video-01', prompt: 'p' }), /model/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p', aspect_ratio: '16:9' }), /unknown field: aspect_ratio/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p', prompt_optimizer: 'yes' }), /prompt_optimizer/);
    expectInvalid(await create({ model: 'I2V-01', first_frame_image: 'data:image/jpeg;base64,aGVsbG8=' }), /image/);
    expectInvalid(await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p' }, { headers: { ...auth(), 'Content-Type': 'text/plain' } }));
    expectInvalid(await call('/v1/query/video_generation?task_id=1&GroupId=2'), /unknown query parameter: GroupId/);
    expectInvalid(await query('123456789012345'), /task_id/);
    expectInvalid(await call('/v1/files/retrieve?file_id=123456789012345'), /file not found/);
    const wrongPath = await call('/v1/video_generation', { method: 'GET' });
    assert.equal(wrongPath.status, 404);
    assert.equal(wrongPath.json.base_resp.status_code, HAILUO_CODES.invalidParams);
    assert.equal(mock.createCount(), before);
  });

  test('missing or wrong API key: HTTP 200 with base_resp 1004, nothing created', async () => {
    const before = mock.createCount();
    for (const headers of [{}, auth('wrong-key'), { Authorization: mock.apiKey }]) {
      const result = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p' }, { headers });
      assert.equal(result.status, 200);
      assert.deepEqual(result.json, {
        base_resp: {
          status_code: 1004,
          status_msg: "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
        },
      });
    }
    const queried = await call('/v1/query/video_generation?task_id=1', { headers: auth('nope') });
    assert.equal(queried.json.base_resp.status_code, HAILUO_CODES.authFailed);
    assert.equal(mock.createCount(), before);
  });

  test('[mock:fail]: status Fail with base_resp 1027 and no file_id', async () => {
    const created = await create({ model: 'T2V-01', prompt: 'a cat [mock:fail]' });
    assert.equal(created.json.base_resp.status_code, 0);
    const { json } = await pollUntilDone(created.json.task_id);
    assert.equal(json.status, 'Fail');
    assert.equal(json.task_id, created.json.task_id);
    assert.equal(json.base_resp.status_code, HAILUO_CODES.outputSensitive);
    assert.ok(json.base_resp.status_msg.length > 0);
    assert.equal(json.file_id, undefined);
    const file = mock.tasks.get(created.json.task_id).fileId;
    expectInvalid(await call(`/v1/files/retrieve?file_id=${file}`), /file not found/);
  });

  test('injected faults: 429 -> 1002, 5xx -> 1000, HTTP 200 base_resp faults', async () => {
    mock.failNext({ on: 'create', status: 429 });
    let result = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p' });
    assert.equal(result.status, 429);
    assert.equal(result.json.base_resp.status_code, HAILUO_CODES.rateLimit);

    mock.failNext({ on: 'retrieve', status: 502 });
    result = await call('/v1/files/retrieve?file_id=1');
    assert.equal(result.status, 502);
    assert.deepEqual(result.json.base_resp, { status_code: 1000, status_msg: 'unknown error' });

    mock.failNext(baseRespFault(HAILUO_CODES.insufficientBalance, { on: 'create', statusMsg: 'insufficient balance' }));
    result = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'p' });
    assert.equal(result.status, 200);
    assert.deepEqual(result.json, { base_resp: { status_code: 1008, status_msg: 'insufficient balance' } });
  });
});
