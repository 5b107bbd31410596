// Self-test of the Jimeng (Volcengine CV) mock, talking to it directly with
// fetch. Requests are signed by an independent implementation of the
// Volcengine HMAC-SHA256 recipe, so the mock's verifier is checked against it.
// Run: cd t && node --test integration/mock_jimeng.test.mjs

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startJimengMock } from '../mocks/jimeng.mjs';
import { pngBytes } from '../mocks/media.mjs';

const SUBMIT = '?Action=CVSync2AsyncSubmitTask&Version=2022-08-31';
const GET_RESULT = '?Action=CVSync2AsyncGetResult&Version=2022-08-31';

let mock;
before(async () => {
  mock = await startJimengMock({ processingAfterMs: 150, doneAfterMs: 400 });
});
after(() => mock?.close());

// --- independent signer -------------------------------------------------------
const hex256 = (data) => createHash('sha256').update(data).digest('hex');
const mac = (key, data) => createHmac('sha256', key).update(data, 'utf8').digest();
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function sign({ url, body, ak, sk, now = new Date(), contentType = 'application/json' }) {
  const target = new URL(url);
  const xDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''); // 20240101T000000Z
  const shortDate = xDate.slice(0, 8);
  const payloadHash = hex256(Buffer.from(body, 'utf8'));
  const query = [...target.searchParams]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const headers = { 'content-type': contentType, host: target.host, 'x-content-sha256': payloadHash, 'x-date': xDate };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim()}\n`).join('');
  const signed = names.join(';');
  const canonical = `POST\n${target.pathname}\n${query}\n${canonicalHeaders}\n${signed}\n${payloadHash}`;
  const scope = `${shortDate}/cn-north-1/cv/request`;
  const toSign = `HMAC-SHA256\n${xDate}\n${scope}\n${hex256(canonical)}`;
  const key = mac(mac(mac(mac(sk, shortDate), 'cn-north-1'), 'cv'), 'request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    'Content-Type': contentType,
    'X-Date': xDate,
    'X-Content-Sha256': payloadHash,
    Authorization: `HMAC-SHA256 Credential=${ak}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
}

async function call(query, payload, { ak = mock.accessKey, sk = mock.secretKey, sendBody, now, headers = {} } = {}) {
  const url = mock.url + '/' + query;
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...sign({ url, body, ak, sk, now }), ...headers },
    body: sendBody ?? body,
  });
  return { status: res.status, json: await res.json() };
}

const submit = (payload, opts) => call(SUBMIT, payload, opts);
const getResult = (payload, opts) => call(GET_RESULT, payload, opts);

// --- tests --------------------------------------------------------------------
test('a correctly signed submit is accepted and logged', async () => {
  const body = { req_key: 'jimeng_t2v_v30', prompt: 'a cat surfing', seed: -1, aspect_ratio: '16:9', frames: 121 };
  const { status, json } = await submit(body);
  assert.equal(status, 200);
  assert.equal(json.code, 10000);
  assert.equal(json.status, 10000);
  assert.equal(json.message, 'Success');
  assert.match(json.data.task_id, /^\d+$/);
  assert.equal(typeof json.request_id, 'string');
  const entry = mock.requests.at(-1);
  assert.deepEqual(entry.body, body);
  assert.equal(entry.query.Action, 'CVSync2AsyncSubmitTask');
});

test('bad signatures, body hashes, keys and dates are 401; unknown actions 404', async () => {
  const body = { req_key: 'jimeng_t2v_v30', prompt: 'x' };
  const cases = [
    await submit(body, { sk: 'wrong-secret' }),
    await submit(body, { sendBody: JSON.stringify({ ...body, prompt: 'y' }) }), // signed one body, sent another
    await submit(body, { headers: { 'X-Content-Sha256': 'a'.repeat(64) } }),
    await submit(body, { ak: 'AKOTHER' }),
    await submit(body, { now: new Date(Date.now() - 16 * 60 * 1000) }),
  ];
  for (const { status, json } of cases) {
    assert.equal(status, 401);
    assert.equal(json.code, 100010);
    assert.equal(json.data, null);
  }
  const unknown = await call('?Action=CVProcess&Version=2022-08-31', body);
  assert.equal(unknown.status, 404);
  const oldVersion = await call('?Action=CVSync2AsyncSubmitTask&Version=2024-06-06', body);
  assert.equal(oldVersion.status, 404);
  assert.equal(mock.createCount(), 1);
});

test('unknown fields and invalid values are 400 / 50400', async () => {
  const bad = [
    { req_key: 'jimeng_t2v_v30', prompt: 'x', duration: 5 },
    { req_key: 'jimeng_t2v_v30', prompt: 'x', aspect_ratio: '' },
    { req_key: 'jimeng_t2v_v30', prompt: 'x', frames: 120 },
    { req_key: 'jimeng_vgfm_t2v_l20', prompt: 'x', frames: 121 },
    { req_key: 'jimeng_t2v_v40', prompt: 'x' },
    { req_key: 'jimeng_t2v_v30', prompt: '' },
    { req_key: 'jimeng_i2v_first_v30', binary_data_base64: [`data:image/png;base64,${pngBytes().toString('base64')}`] },
    { req_key: 'jimeng_i2v_first_tail_v30', image_urls: ['https://example.com/a.png'] },
  ];
  for (const body of bad) {
    const { status, json } = await submit(body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(json.code, 50400);
    assert.match(json.message, /^Invalid parameter: /);
  }
  assert.equal((await submit(bad[0])).json.message, 'Invalid parameter: duration');
});

test('GetResult with another req_key or an unknown task is not_found', async () => {
  const created = await submit({ req_key: 'jimeng_t2v_v30', prompt: 'a dog' });
  const taskId = created.json.data.task_id;
  for (const body of [
    { req_key: 'jimeng_t2v_v30_1080p', task_id: taskId },
    { req_key: 'jimeng_t2v_v30', task_id: '123456789' },
  ]) {
    const { status, json } = await getResult(body);
    assert.equal(status, 200);
    assert.equal(json.code, 10000);
    assert.equal(json.data.status, 'not_found');
    assert.equal(json.data.video_url, undefined);
  }
  const extra = await getResult({ req_key: 'jimeng_t2v_v30', task_id: taskId, req_json: '{}' });
  assert.equal(extra.status, 400);
});

test('image-to-video lifecycle reaches done with a downloadable video_url', async () => {
  const created = await submit({
    req_key: 'jimeng_i2v_first_v30',
    prompt: 'wave',
    frames: 121,
    binary_data_base64: [pngBytes().toString('base64')],
  });
  assert.equal(created.json.code, 10000);
  const taskId = created.json.data.task_id;
  const seen = new Set();
  let data;
  for (let i = 0; i < 100; i++) {
    const { json } = await getResult({ req_key: 'jimeng_i2v_first_v30', task_id: taskId });
    assert.equal(json.code, 10000);
    data = json.data;
    seen.add(data.status);
    if (data.status === 'done') break;
    assert.equal(data.video_url, undefined);
    await sleep(20);
  }
  assert.equal(data.status, 'done');
  assert.ok(seen.has('in_queue') || seen.has('generating'));
  assert.deepEqual(data.binary_data_base64, []);
  assert.equal(data.resp_data, '');
  const video = await fetch(data.video_url);
  assert.equal(video.status, 200);
  assert.deepEqual(Buffer.from(await video.arrayBuffer()), mock.videoBytes(taskId));
});

test('[mock:fail] answers GetResult with code 50411 and data null', async () => {
  const created = await submit({ req_key: 'jimeng_t2v_v30', prompt: 'boom [mock:fail]' });
  const taskId = created.json.data.task_id;
  await sleep(500);
  const { status, json } = await getResult({ req_key: 'jimeng_t2v_v30', task_id: taskId });
  assert.equal(status, 200);
  assert.equal(json.code, 50411);
  assert.equal(json.data, null);
  assert.match(json.message, /Risk Not Pass/);
});
