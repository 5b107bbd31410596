// Self-test of the mock vendors in t/mocks: every behaviour the gateway tests
// rely on is exercised here directly with fetch.
// Run from the repository root: node --test t/integration/mocks.test.mjs

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { mintKlingToken, startCdn, startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import {
  jpegBytes,
  largeVideoSha256,
  largeVideoStream,
  mp4Bytes,
  parseRange,
  pngBytes,
  sha256Hex,
  sniffImage,
  webpBytes,
} from '../mocks/media.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function bodyBytes(response) {
  return Buffer.from(await response.arrayBuffer());
}

async function jsonResult(response) {
  return { status: response.status, json: await response.json() };
}

// node:http rather than fetch when the test needs a chunked body.
function rawRequest(url, { method = 'POST', headers = {}, chunks = [] }) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const parts = [];
      res.on('data', (part) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

async function waitFor(predicate, { timeoutMs = 3000, intervalMs = 10 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(intervalMs);
  }
}

async function expectNetworkFailure(promise) {
  await assert.rejects(promise, (error) => error instanceof TypeError || error.name === 'TimeoutError');
}

describe('media helpers', () => {
  test('mp4Bytes: ftyp(isom) then an mdat box spanning the rest, deterministic per seed', () => {
    const video = mp4Bytes('seed-a');
    assert.equal(video.length, 48 * 1024);
    assert.equal(video.toString('latin1', 4, 12), 'ftypisom');
    const ftypSize = video.readUInt32BE(0);
    assert.equal(video.toString('latin1', ftypSize + 4, ftypSize + 8), 'mdat');
    assert.equal(video.readUInt32BE(ftypSize), video.length - ftypSize);
    assert.deepEqual(mp4Bytes('seed-a'), video);
    assert.notDeepEqual(mp4Bytes('seed-b'), video);
    assert.equal(mp4Bytes('seed-a', 1000).length, 1000);
  });

  test('largeVideoStream yields the same bytes lazily in chunks of at most 64 KiB, ranges included', async () => {
    const size = 300 * 1024 + 7;
    const chunks = [];
    for await (const chunk of largeVideoStream('big', size)) chunks.push(chunk);
    assert.ok(chunks.length >= 5 && chunks.every((chunk) => chunk.length <= 64 * 1024));
    const whole = Buffer.concat(chunks);
    assert.deepEqual(whole, mp4Bytes('big', size));
    assert.equal(largeVideoSha256('big', size), sha256Hex(whole));

    const slice = [];
    for await (const chunk of largeVideoStream('big', size, { start: 20, end: 200_000 })) slice.push(chunk);
    assert.deepEqual(Buffer.concat(slice), whole.subarray(20, 200_001));
  });

  test('image helpers and sniffImage', () => {
    assert.equal(sniffImage(pngBytes()), 'image/png');
    assert.deepEqual([...pngBytes().subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const jpeg = jpegBytes('j');
    assert.equal(sniffImage(jpeg), 'image/jpeg');
    assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9]);
    const webp = webpBytes('w');
    assert.equal(sniffImage(webp), 'image/webp');
    assert.equal(webp.readUInt32LE(4), webp.length - 8);
    assert.equal(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), 'image/gif');
    assert.equal(sniffImage(Buffer.from('hello world')), null);
    assert.equal(sniffImage(Buffer.alloc(0)), null);
  });

  test('parseRange handles a-b, a-, -n, unsatisfiable and ignorable headers', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 100), null);
    assert.equal(parseRange('items=0-1', 100), null);
    assert.equal(parseRange(undefined, 100), null);
  });
});

describe('CDN mock', () => {
  let cdn;
  const small = mp4Bytes('cdn-small', 10_000);
  before(async () => {
    cdn = await startCdn();
    cdn.register('/media/small.mp4', { bytes: small });
    cdn.register('/media/big.mp4', { size: 3 * 1024 * 1024, seed: 'cdn-big' });
    cdn.register('/media/thumb.webp', { bytes: webpBytes('t'), contentType: 'image/webp' });
  });
  after(() => cdn.close());

  test('signed URL serves the whole object', async () => {
    const url = cdn.signUrl('/media/small.mp4', 60);
    assert.match(url, new RegExp(`^${cdn.url}/media/small\\.mp4\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'video/mp4');
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.equal(response.headers.get('content-length'), String(small.length));
    assert.deepEqual(await bodyBytes(response), small);

    const thumb = await fetch(cdn.signUrl('/media/thumb.webp', 60));
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    await thumb.arrayBuffer();
  });

  test('Range: bytes=a-b, a-, -n give 206; past the end gives 416', async () => {
    const url = cdn.signUrl('/media/small.mp4', 60);
    const cases = [
      ['bytes=0-99', 0, 99],
      ['bytes=9000-', 9000, 9999],
      ['bytes=-16', 9984, 9999],
      ['bytes=9990-20000', 9990, 9999],
    ];
    for (const [range, start, end] of cases) {
      const response = await fetch(url, { headers: { range } });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/${small.length}`);
      assert.equal(response.headers.get('content-length'), String(end - start + 1));
      assert.deepEqual(await bodyBytes(response), small.subarray(start, end + 1));
    }
    const unsatisfiable = await fetch(url, { headers: { range: 'bytes=10000-' } });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${small.length}`);
    await unsatisfiable.arrayBuffer();
  });

  test('HEAD answers headers only', async () => {
    const response = await fetch(cdn.signUrl('/media/small.mp4', 60), { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(small.length));
  });

  test('large objects are streamed, with ranges', async () => {
    const size = 3 * 1024 * 1024;
    const url = cdn.signUrl('/media/big.mp4', 60);
    const full = await bodyBytes(await fetch(url));
    assert.equal(full.length, size);
    assert.equal(sha256Hex(full), largeVideoSha256('cdn-big', size));
    const tail = await fetch(url, { headers: { range: `bytes=${size - 100_000}-` } });
    assert.equal(tail.status, 206);
    assert.deepEqual(await bodyBytes(tail), full.subarray(size - 100_000));
  });

  test('missing, tampered, re-pathed and expired signatures are 403 with S3 XML', async () => {
    const good = new URL(cdn.signUrl('/media/small.mp4', 60));
    const tampered = new URL(good);
    tampered.searchParams.set('sig', '0'.repeat(64));
    const otherPath = new URL(good);
    otherPath.pathname = '/media/thumb.webp';
    const extended = new URL(good);
    extended.searchParams.set('exp', String(Number(good.searchParams.get('exp')) + 1000));
    for (const url of [`${cdn.url}/media/small.mp4`, tampered, otherPath, extended]) {
      const response = await fetch(url);
      assert.equal(response.status, 403, String(url));
      assert.equal(response.headers.get('content-type'), 'application/xml');
      assert.match(await response.text(), /<Error><Code>(AccessDenied|SignatureDoesNotMatch)<\/Code>/);
    }
    const expired = await fetch(cdn.signUrl('/media/small.mp4', -1));
    assert.equal(expired.status, 403);
    assert.equal(expired.headers.get('content-type'), 'application/xml');
    assert.match(await expired.text(), /<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message><\/Error>/);
  });

  test('credentials sent to the CDN are refused with 400 and recorded as leaks', async () => {
    const url = cdn.signUrl('/media/small.mp4', 60);
    const leakyHeaders = [
      { authorization: 'Bearer sk-client' },
      { cookie: 'session=1' },
      { 'x-goog-api-key': 'AIza-test' },
      { 'X-Api-Key': 'key' },
    ];
    const before = cdn.leaks.length;
    for (const headers of leakyHeaders) {
      const response = await fetch(url, { headers });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /<Code>InvalidArgument<\/Code>/);
    }
    assert.deepEqual(
      cdn.leaks.slice(before).map((leak) => leak.header),
      ['authorization', 'cookie', 'x-goog-api-key', 'x-api-key'],
    );
    assert.ok(cdn.leaks.slice(before).every((leak) => leak.path === '/media/small.mp4'));
  });

  test('unknown object is 404, other methods 405, and every request is logged', async () => {
    const missing = await fetch(cdn.signUrl('/media/none.mp4', 60));
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /NoSuchKey/);
    const put = await fetch(cdn.signUrl('/media/small.mp4', 60), { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    await put.arrayBuffer();
    const last = cdn.requests.at(-1);
    assert.equal(last.method, 'PUT');
    assert.equal(last.path, '/media/small.mp4');
    assert.equal(typeof last.headers, 'object');
  });
});

describe('Kling mock', () => {
  let kling;
  const fastTimings = { processingAfterMs: 40, doneAfterMs: 160 };
  before(async () => {
    kling = await startKlingMock(fastTimings);
  });
  after(() => kling.close());

  const token = (options = {}) => mintKlingToken({ accessKey: kling.accessKey, secretKey: kling.secretKey, ...options });

  async function call(path, { method = 'GET', body, authorization = `Bearer ${token()}`, headers = {} } = {}) {
    const response = await fetch(`${kling.url}${path}`, {
      method,
      headers: {
        ...(authorization !== null && { authorization }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    assert.equal(response.headers.get('content-type'), 'application/json');
    return { status: response.status, json: await response.json() };
  }

  const createT2v = (body) => call('/v1/videos/text2video', { method: 'POST', body });
  const createI2v = (body) => call('/v1/videos/image2video', { method: 'POST', body });

  test('JWT auth: every broken token gets the right 401 code', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      ['missing header', null, 1001],
      ['empty bearer', 'Bearer ', 1001],
      ['two spaces', `Bearer  ${token()}`, 1002],
      ['lowercase scheme', `bearer ${token()}`, 1002],
      ['raw token, no scheme', token(), 1002],
      ['not a JWT', 'Bearer abc.def', 1002],
      ['wrong secret', `Bearer ${mintKlingToken({ accessKey: kling.accessKey, secretKey: 'other' })}`, 1002],
      ['wrong access key', `Bearer ${mintKlingToken({ accessKey: 'ak-other', secretKey: kling.secretKey })}`, 1002],
      ['alg none header', `Bearer ${token({ header: { alg: 'none', typ: 'JWT' } })}`, 1002],
      ['extra header field', `Bearer ${token({ header: { alg: 'HS256', typ: 'JWT', kid: 'x' } })}`, 1002],
      ['lifetime over 30 min', `Bearer ${token({ lifetimeSeconds: 3600 })}`, 1002],
      ['exp not an integer', `Bearer ${token({ claims: { exp: now + 600.5 } })}`, 1002],
      ['nbf missing', `Bearer ${token({ claims: { nbf: undefined } })}`, 1002],
      ['nbf in the future', `Bearer ${token({ notBeforeSkewSeconds: -30 })}`, 1003],
      ['expired', `Bearer ${token({ nowSeconds: now - 4000 })}`, 1004],
    ];
    for (const [name, authorization, code] of cases) {
      const { status, json } = await call('/v1/videos/text2video/1', { authorization });
      assert.equal(status, 401, name);
      assert.equal(json.code, code, name);
      assert.equal(typeof json.message, 'string');
      assert.match(json.request_id, UUID);
    }
  });

  test('JWT auth: tolerates 1 s of nbf skew and records accepted claims', async () => {
    const skewed = token({ notBeforeSkewSeconds: -1 });
    const { status, json } = await call('/v1/videos/text2video/1', { authorization: `Bearer ${skewed}` });
    assert.equal(status, 404);
    assert.equal(json.code, 1203);
    const claims = kling.requests.at(-1).tokenClaims;
    assert.equal(claims.iss, kling.accessKey);
    assert.ok(Number.isInteger(claims.exp) && Number.isInteger(claims.nbf));
  });

  test('text2video create returns the Kling envelope with a 19-digit task id', async () => {
    const before = kling.createCount();
    const { status, json } = await createT2v({
      model_name: 'kling-v2-1',
      prompt: 'a cat on a skateboard',
      negative_prompt: 'blur',
      cfg_scale: 0.5,
      mode: 'pro',
      aspect_ratio: '9:16',
      duration: '10',
      external_task_id: 'ext-1',
      callback_url: 'https://hooks.example/kling',
      camera_control: { type: 'simple', config: { zoom: 5 } },
      sound: 'off',
      watermark_info: { enabled: false },
    });
    assert.equal(status, 200);
    assert.equal(json.code, 0);
    assert.equal(json.message, 'SUCCEED');
    assert.match(json.request_id, UUID);
    assert.match(json.data.task_id, /^\d{19}$/);
    assert.equal(json.data.task_status, 'submitted');
    assert.deepEqual(json.data.task_info, { external_task_id: 'ext-1' });
    assert.ok(json.data.created_at > 1e12, 'milliseconds');
    assert.equal(json.data.updated_at, json.data.created_at);
    assert.equal(kling.createCount(), before + 1);
    const logged = kling.requests.at(-1);
    assert.equal(logged.method, 'POST');
    assert.equal(logged.path, '/v1/videos/text2video');
    assert.equal(logged.headers['content-type'], 'application/json');
    assert.equal(logged.body.prompt, 'a cat on a skateboard');
    assert.equal(logged.status, 200);
  });

  test('image2video accepts an http(s) URL or raw base64 PNG/JPEG', async () => {
    for (const image of ['https://img.example/a.png', pngBytes().toString('base64'), jpegBytes('k').toString('base64')]) {
      const { status, json } = await createI2v({ model_name: 'kling-v1-6', image, duration: '5' });
      assert.equal(status, 200, json.message);
    }
    const tailOnly = await createI2v({ image_tail: pngBytes().toString('base64'), prompt: 'end frame' });
    assert.equal(tailOnly.status, 200, tailOnly.json.message);
  });

  test('create rejects unknown keys, wrong types and wrong values without creating a task', async () => {
    const png = pngBytes().toString('base64');
    const before = kling.createCount();
    const t2vCases = [
      [{ prompt: 'x', model: 'kling-v1' }, /^Invalid key: model$/],
      [{ prompt: 'x', seconds: '5' }, /^Invalid key: seconds$/],
      [{ prompt: 'x', duration: 5 }, /duration/],
      [{ prompt: 'x', duration: '7' }, /duration/],
      [{ prompt: 'x', model_name: 'kling-v9' }, /model_name/],
      [{ prompt: 'x', aspect_ratio: '4:3' }, /aspect_ratio/],
      [{ prompt: 'x', mode: 'fast' }, /mode/],
      [{ prompt: 'x', cfg_scale: 1.5 }, /cfg_scale/],
      [{ prompt: 'x', cfg_scale: '0.5' }, /cfg_scale/],
      [{ prompt: 'x', negative_prompt: 'n'.repeat(2501) }, /negative_prompt/],
      [{ prompt: 'p'.repeat(2501) }, /prompt/],
      [{ prompt: '' }, /prompt/],
      [{ model_name: 'kling-v1' }, /prompt/],
      [{ prompt: 'x', image: png }, /^Invalid key: image$/],
      [{ prompt: 'x', camera_control: { type: 'zoom' } }, /camera_control/],
    ];
    for (const [body, message] of t2vCases) {
      const { status, json } = await createT2v(body);
      assert.equal(status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(json.code, 1201);
      assert.match(json.message, message);
    }
    const i2vCases = [
      [{ image: png, aspect_ratio: '16:9' }, /^Invalid key: aspect_ratio$/],
      [{ prompt: 'no image' }, /image or image_tail/],
      [{ image: `data:image/png;base64,${png}` }, /data:/],
      [{ image: Buffer.from('not an image').toString('base64') }, /JPG\/JPEG or PNG/],
      [{ image: webpBytes('w').toString('base64') }, /JPG\/JPEG or PNG/],
      [{ image: 'not base64!' }, /image/],
      [{ image: png, duration: 10 }, /duration/],
      [{ image: png, image_tail: png, camera_control: { type: 'down_back' } }, /image_tail cannot be combined/],
    ];
    for (const [body, message] of i2vCases) {
      const { status, json } = await createI2v(body);
      assert.equal(status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(json.code, 1201);
      assert.match(json.message, message);
    }
    assert.equal(kling.createCount(), before);
  });

  test('create needs a JSON object body with Content-Type application/json (code 1200)', async () => {
    const wrongType = await call('/v1/videos/text2video', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x' }),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.json.code, 1200);
    for (const body of ['{not json', '["prompt"]', 'null']) {
      const { status, json } = await createT2v(body);
      assert.equal(status, 400, body);
      assert.equal(json.code, 1200, body);
    }
    const charset = await call('/v1/videos/text2video', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(charset.status, 200);
  });

  test('lifecycle: submitted -> processing -> succeed with a signed CDN URL that downloads the video', async () => {
    const { json: created } = await createT2v({ prompt: 'lifecycle' });
    const taskId = created.data.task_id;
    const queryPath = `/v1/videos/text2video/${taskId}`;

    const first = await call(queryPath);
    assert.equal(first.status, 200);
    assert.equal(first.json.message, 'SUCCEED');
    assert.equal(first.json.data.task_status, 'submitted');
    assert.equal(first.json.data.task_result, undefined);

    await waitFor(() => kling.taskStatus(taskId) === 'processing');
    const processing = await call(queryPath);
    assert.equal(processing.json.data.task_status, 'processing');
    assert.equal(processing.json.data.updated_at, created.data.created_at + fastTimings.processingAfterMs);

    await waitFor(() => kling.taskStatus(taskId) === 'succeed');
    const done = (await call(queryPath)).json.data;
    assert.equal(done.task_status, 'succeed');
    assert.equal(done.created_at, created.data.created_at);
    assert.equal(done.updated_at, created.data.created_at + fastTimings.doneAfterMs);
    const [video] = done.task_result.videos;
    assert.equal(video.duration, '5');
    assert.equal(typeof video.id, 'string');
    const videoUrl = new URL(video.url);
    assert.equal(videoUrl.origin, kling.cdn.url);
    assert.equal(videoUrl.pathname, `/kling/${taskId}.mp4`);
    const exp = Number(videoUrl.searchParams.get('exp'));
    assert.ok(Math.abs(exp - (Date.now() / 1000 + 3600)) < 5, 'one hour TTL');

    const download = await fetch(video.url);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'video/mp4');
    const bytes = await bodyBytes(download);
    assert.equal(bytes.length, 48 * 1024);
    assert.deepEqual(bytes, kling.videoBytes(taskId));
    assert.deepEqual(bytes, mp4Bytes(taskId));
    assert.equal(kling.videoSha256(taskId), sha256Hex(bytes));

    // Each query signs the URL again: once the clock has moved on, exp moves with it.
    await sleep(1000 - (Date.now() % 1000) + 20);
    const again = (await call(queryPath)).json.data.task_result.videos[0].url;
    assert.ok(Number(new URL(again).searchParams.get('exp')) > exp);
    assert.notEqual(new URL(again).searchParams.get('sig'), videoUrl.searchParams.get('sig'));
  });

  test('query path must match the creation kind; unknown ids are 1203, unknown routes 1202', async () => {
    const { json: t2v } = await createT2v({ prompt: 'kind check' });
    const { json: i2v } = await createI2v({ image: 'https://img.example/b.jpg' });
    assert.equal((await call(`/v1/videos/text2video/${t2v.data.task_id}`)).status, 200);
    assert.equal((await call(`/v1/videos/image2video/${i2v.data.task_id}`)).status, 200);
    const wrongKindOrUnknown = [
      `/v1/videos/image2video/${t2v.data.task_id}`,
      `/v1/videos/text2video/${i2v.data.task_id}`,
      '/v1/videos/text2video/1234567890123456789',
    ];
    for (const path of wrongKindOrUnknown) {
      const { status, json } = await call(path);
      assert.equal(status, 404, path);
      assert.equal(json.code, 1203);
    }
    for (const [method, path] of [
      ['GET', '/v1/videos/text2video'],
      ['POST', '/v1/videos/kling2video'],
      ['DELETE', `/v1/videos/text2video/${t2v.data.task_id}`],
      ['GET', '/v1/videos'],
      ['POST', '/v1/videos/text2video/'],
    ]) {
      const { status, json } = await call(path, { method, ...(method === 'POST' && { body: { prompt: 'x' } }) });
      assert.equal(status, 404, `${method} ${path}`);
      assert.equal(json.code, 1202);
    }
  });

  test('[mock:fail] ends failed with a task_status_msg while message stays SUCCEED', async () => {
    const { json: created } = await createT2v({ prompt: 'forbidden [mock:fail]' });
    await waitFor(() => kling.taskStatus(created.data.task_id) === 'failed');
    const { status, json } = await call(`/v1/videos/text2video/${created.data.task_id}`);
    assert.equal(status, 200);
    assert.equal(json.code, 0);
    assert.equal(json.message, 'SUCCEED');
    assert.equal(json.data.task_status, 'failed');
    assert.equal(json.data.task_status_msg, 'Failure to pass the risk control system');
    assert.equal(json.data.task_result, undefined);
  });

  test('[mock:large=<MiB>] serves a streamed video of that size', async () => {
    const { json: created } = await createT2v({ prompt: 'big one [mock:large=2]' });
    const taskId = created.data.task_id;
    await waitFor(() => kling.taskStatus(taskId) === 'succeed');
    const { json } = await call(`/v1/videos/text2video/${taskId}`);
    const bytes = await bodyBytes(await fetch(json.data.task_result.videos[0].url));
    assert.equal(bytes.length, 2 * 1024 * 1024);
    assert.equal(kling.videoBytes(taskId), null);
    assert.equal(sha256Hex(bytes), kling.videoSha256(taskId));
    assert.equal(sha256Hex(bytes), largeVideoSha256(taskId, 2 * 1024 * 1024));
  });

  test('result URLs expire and refuse forwarded credentials', async () => {
    const { json: created } = await createT2v({ prompt: 'expiry' });
    const taskId = created.data.task_id;
    const expired = await fetch(kling.cdn.signUrl(`/kling/${taskId}.mp4`, -5));
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
    const leaked = await fetch(kling.cdn.signUrl(`/kling/${taskId}.mp4`, 60), {
      headers: { authorization: `Bearer ${token()}` },
    });
    assert.equal(leaked.status, 400);
    await leaked.arrayBuffer();
    assert.deepEqual(kling.cdn.leaks.at(-1), { path: `/kling/${taskId}.mp4`, header: 'authorization' });
  });

  test('fault {status, body}: answered instead of processing; consumed once', async () => {
    const before = kling.createCount();
    kling.failNext({ on: 'create', status: 429 });
    const limited = await createT2v({ prompt: 'x' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.code, 1302);
    assert.equal(kling.createCount(), before);

    const internalError = { code: 5000, message: 'Internal error', request_id: 'r' };
    kling.failNext({ on: 'query', status: 500, body: internalError, headers: { 'retry-after': '1' } });
    const created = await createT2v({ prompt: 'x' });
    assert.equal(created.status, 200, 'query faults do not hit creates');
    const response = await fetch(`${kling.url}/v1/videos/text2video/${created.json.data.task_id}`, {
      headers: { authorization: `Bearer ${token()}` },
    });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.deepEqual(await response.json(), internalError);
    assert.equal((await call(`/v1/videos/text2video/${created.json.data.task_id}`)).status, 200);
    assert.equal(kling.requests.at(-2).fault.status, 500);
  });

  test('fault {reset} and {hang}: no answer, no task', async () => {
    const before = kling.createCount();
    kling.failNext({ reset: true });
    await expectNetworkFailure(createT2v({ prompt: 'reset' }));
    kling.failNext({ on: 'create', hang: true });
    await expectNetworkFailure(
      fetch(`${kling.url}/v1/videos/text2video`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'hang' }),
        signal: AbortSignal.timeout(150),
      }),
    );
    assert.equal(kling.createCount(), before);
    assert.equal((await createT2v({ prompt: 'after faults' })).status, 200);
  });

  test('fault {afterCreate}: the task really exists but the reply is lost', async () => {
    const before = kling.createCount();
    kling.failNext({ afterCreate: 'reset' });
    await expectNetworkFailure(createT2v({ prompt: 'lost reply', external_task_id: 'lost-1' }));
    assert.equal(kling.createCount(), before + 1);
    const lost = [...kling.tasks.values()].at(-1);
    assert.equal(lost.request.external_task_id, 'lost-1');
    assert.equal((await call(`/v1/videos/text2video/${lost.id}`)).status, 200);

    kling.failNext({ afterCreate: 'hang' });
    await expectNetworkFailure(
      fetch(`${kling.url}/v1/videos/image2video`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ image: 'https://img.example/c.png' }),
        signal: AbortSignal.timeout(150),
      }),
    );
    assert.equal(kling.createCount(), before + 2);
  });

  test('failNext rejects malformed faults', () => {
    assert.throws(() => kling.failNext({ on: 'content', status: 500 }), TypeError);
    assert.throws(() => kling.failNext({ on: 'query', afterCreate: 'reset' }), TypeError);
    assert.throws(() => kling.failNext({ afterCreate: 'explode' }), TypeError);
    assert.throws(() => kling.failNext({ status: 500, reset: true }), TypeError);
    assert.throws(() => kling.failNext({}), TypeError);
  });

  test('close() ends hung connections and the CDN it started', async () => {
    const mock = await startKlingMock();
    mock.failNext({ hang: true });
    const pending = fetch(`${mock.url}/v1/videos/text2video/1`).catch((error) => error);
    await waitFor(() => mock.requests.length === 1);
    const started = Date.now();
    await mock.close();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await pending) instanceof TypeError);
    await expectNetworkFailure(fetch(mock.cdn.signUrl('/x', 60)));
  });
});

describe('OpenAI mock', () => {
  let openai;
  const fastTimings = { inProgressAfterMs: 40, doneAfterMs: 160 };
  before(async () => {
    openai = await startOpenAIMock(fastTimings);
  });
  after(() => openai.close());

  const auth = () => ({ authorization: `Bearer ${openai.apiKey}` });

  async function createJson(body, headers = auth()) {
    const response = await fetch(`${openai.url}/v1/videos`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  async function createMultipart(fields) {
    const form = new FormData();
    for (const [name, value] of fields) {
      if (Array.isArray(value)) form.append(name, value[0], value[1]);
      else form.append(name, value);
    }
    const response = await fetch(`${openai.url}/v1/videos`, { method: 'POST', headers: auth(), body: form });
    return { status: response.status, json: await response.json() };
  }

  const getVideo = async (id, options = {}) => {
    const response = await fetch(`${openai.url}/v1/videos/${id}`, { headers: auth(), ...options });
    return { status: response.status, json: await response.json() };
  };

  // `code` is only checked when the expectation names one.
  function assertOpenAIError(result, status, { message, param = null, ...expected }) {
    assert.equal(result.status, status);
    assert.deepEqual(Object.keys(result.json), ['error']);
    assert.deepEqual(Object.keys(result.json.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(result.json.error.type, 'invalid_request_error');
    if (message instanceof RegExp) assert.match(result.json.error.message, message);
    else assert.equal(result.json.error.message, message);
    assert.equal(result.json.error.param, param);
    if ('code' in expected) assert.equal(result.json.error.code, expected.code);
  }

  test('auth: missing or wrong key is 401 invalid_request_error and never echoes the key', async () => {
    const missing = await getVideo('video_x', { headers: {} });
    assertOpenAIError(missing, 401, { message: /You didn't provide an API key/ });
    const wrongKey = 'sk-client-secret-key-9876';
    const wrong = await getVideo('video_x', { headers: { authorization: `Bearer ${wrongKey}` } });
    assertOpenAIError(wrong, 401, { message: 'Incorrect API key provided: sk-...9876.', code: 'invalid_api_key' });
    assert.ok(!JSON.stringify(wrong.json).includes(wrongKey));
    for (const authorization of [`Bearer  ${openai.apiKey}`, `Basic ${openai.apiKey}`, openai.apiKey]) {
      const result = await getVideo('video_x', { headers: { authorization } });
      assert.equal(result.status, 401, authorization);
      assert.ok(!JSON.stringify(result.json).includes(openai.apiKey));
    }
  });

  test('JSON create returns a full queued Video object with defaults', async () => {
    const { status, json } = await createJson({ prompt: 'a calm lake' });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).sort(), [
      'completed_at',
      'created_at',
      'error',
      'expires_at',
      'id',
      'model',
      'object',
      'progress',
      'prompt',
      'remixed_from_video_id',
      'seconds',
      'size',
      'status',
    ]);
    assert.match(json.id, /^video_[0-9a-f]{48}$/);
    assert.equal(json.object, 'video');
    assert.equal(json.model, 'sora-2');
    assert.equal(json.status, 'queued');
    assert.equal(json.progress, 0);
    assert.ok(Math.abs(json.created_at - Date.now() / 1000) < 5, 'seconds, not ms');
    assert.equal(json.completed_at, null);
    assert.equal(json.expires_at, null);
    assert.equal(json.prompt, 'a calm lake');
    assert.equal(json.size, '720x1280');
    assert.equal(json.seconds, '4');
    assert.equal(json.remixed_from_video_id, null);
    assert.equal(json.error, null);
    assert.equal(openai.requests.at(-1).bodyFormat, 'json');
  });

  test('multipart create with a binary input_reference file', async () => {
    const png = pngBytes({ width: 8, height: 8 });
    const { status, json } = await createMultipart([
      ['prompt', 'from an image'],
      ['model', 'sora-2-pro'],
      ['seconds', '8'],
      ['size', '1792x1024'],
      ['input_reference', [new Blob([png], { type: 'image/png' }), 'ref.png']],
    ]);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.model, 'sora-2-pro');
    assert.equal(json.seconds, '8');
    assert.equal(json.size, '1792x1024');
    const logged = openai.requests.at(-1);
    assert.equal(logged.bodyFormat, 'multipart');
    assert.equal(logged.body.prompt, 'from an image');
    assert.equal(logged.body.input_reference.filename, 'ref.png');
    assert.deepEqual(logged.inputReference, {
      form: 'file',
      filename: 'ref.png',
      declaredType: 'image/png',
      detectedType: 'image/png',
      size: png.length,
      sha256: sha256Hex(png),
    });
  });

  test('chunked multipart with a quoted boundary and binary bytes that look like delimiters', async () => {
    const boundary = 'gw:boundary(1)';
    // A JPEG whose payload holds CRLFs and a near-miss delimiter. (The boundary text itself
    // may not occur in content: RFC 2046 forbids a full delimiter there, and undici's
    // parser rejects even the bare boundary text.)
    const image = Buffer.concat([
      jpegBytes('chunked').subarray(0, 200),
      Buffer.from(`\r\n--${boundary.slice(0, -1)}\r\n\r\n--\r\n`),
      Buffer.from([0, 0xff, 0xfe, 0xd9]),
    ]);
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nchunked upload\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="input_reference"; filename="r.jpg"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const chunks = [];
    for (let offset = 0; offset < multipart.length; offset += 37) chunks.push(multipart.subarray(offset, offset + 37));
    const response = await rawRequest(`${openai.url}/v1/videos`, {
      headers: { ...auth(), 'content-type': `multipart/form-data; boundary="${boundary}"` },
      chunks,
    });
    assert.equal(response.status, 200, response.body.toString());
    const logged = openai.requests.at(-1);
    assert.equal(logged.headers['transfer-encoding'], 'chunked');
    assert.equal(logged.inputReference.form, 'file');
    assert.equal(logged.inputReference.declaredType, 'application/octet-stream');
    assert.equal(logged.inputReference.detectedType, 'image/jpeg');
    assert.equal(logged.inputReference.sha256, sha256Hex(image));
  });

  test('input_reference as an object: multipart bracket fields or JSON', async () => {
    const pngDataUrl = `data:image/png;base64,${pngBytes().toString('base64')}`;
    const imageUrl = 'https://img.example/r.png';
    const cases = [
      [() => createMultipart([['prompt', 'p'], ['input_reference[image_url]', imageUrl]]), { form: 'image_url', url: imageUrl }],
      [() => createMultipart([['prompt', 'p'], ['input_reference[file_id]', 'file-abc']]), { form: 'file_id', fileId: 'file-abc' }],
      [() => createJson({ prompt: 'p', input_reference: { image_url: imageUrl } }), { form: 'image_url', url: imageUrl }],
      [() => createJson({ prompt: 'p', input_reference: { file_id: 'file-xyz' } }), { form: 'file_id', fileId: 'file-xyz' }],
    ];
    for (const [send, expected] of cases) {
      const { status, json } = await send();
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(openai.requests.at(-1).inputReference, expected);
    }
    const { status } = await createJson({ prompt: 'p', input_reference: { image_url: pngDataUrl } });
    assert.equal(status, 200);
    assert.equal(openai.requests.at(-1).inputReference.form, 'data_url');
    assert.equal(openai.requests.at(-1).inputReference.detectedType, 'image/png');
  });

  test('create rejects bad fields with the exact OpenAI errors and creates nothing', async () => {
    const before = openai.createCount();
    assertOpenAIError(await createJson({ prompt: 'p', seconds: 8 }), 400, {
      message: "Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.",
      param: 'seconds',
      code: 'invalid_type',
    });
    assertOpenAIError(await createJson({ prompt: 'p', seconds: '10' }), 400, {
      message: "Invalid value: '10'. Supported values are: '4', '8', and '12'.",
      param: 'seconds',
      code: 'invalid_value',
    });
    assertOpenAIError(await createMultipart([['prompt', 'p'], ['seconds', '5']]), 400, {
      message: "Invalid value: '5'. Supported values are: '4', '8', and '12'.",
      param: 'seconds',
      code: 'invalid_value',
    });
    assertOpenAIError(await createJson({ prompt: 'p', size: '1920x1080' }), 400, {
      message: /^Invalid value: '1920x1080'/,
      param: 'size',
      code: 'invalid_value',
    });
    assertOpenAIError(await createJson({ prompt: 'p', model: 'kling-v1' }), 400, {
      message: /^Invalid value: 'kling-v1'/,
      param: 'model',
      code: 'invalid_value',
    });
    assertOpenAIError(await createJson({ prompt: 'p', quality: 'high' }), 400, {
      message: 'Unrecognized request argument supplied: quality',
      param: 'quality'
    });
    assertOpenAIError(await createMultipart([['prompt', 'p'], ['duration', '5']]), 400, {
      message: 'Unrecognized request argument supplied: duration',
      param: 'duration'
    });
    assertOpenAIError(await createJson({ model: 'sora-2' }), 400, {
      message: "Missing required parameter: 'prompt'.",
      param: 'prompt',
    });
    assertOpenAIError(await createJson({ prompt: '' }), 400, { message: /string too short/, param: 'prompt' });
    assertOpenAIError(await createJson({ prompt: 'x'.repeat(32001) }), 400, { message: /string too long/, param: 'prompt' });
    assertOpenAIError(await createJson({ prompt: 42 }), 400, {
      message: /Invalid type for 'prompt'/,
      param: 'prompt',
      code: 'invalid_type',
    });
    assert.equal((await createJson({ prompt: 'x'.repeat(32000) })).status, 200);
    assert.equal(openai.createCount(), before + 1);
  });

  test('create rejects bad input_reference forms', async () => {
    const before = openai.createCount();
    const text = Buffer.from('definitely not an image');
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
    const withPrompt = (...parts) => createMultipart([['prompt', 'p'], ...parts]);
    const cases = [
      [() => createJson({ prompt: 'p', input_reference: 'https://img.example/r.png' }), 'input_reference'],
      [() => createJson({ prompt: 'p', input_reference: { image_url: 'https://a/b', file_id: 'file-1' } }), 'input_reference'],
      [() => createJson({ prompt: 'p', input_reference: {} }), 'input_reference'],
      [() => createJson({ prompt: 'p', input_reference: { url: 'https://a/b.png' } }), 'input_reference.url'],
      [() => createJson({ prompt: 'p', input_reference: { image_url: 'ftp://a/b.png' } }), 'input_reference.image_url'],
      [
        () => createJson({ prompt: 'p', input_reference: { image_url: `data:image/png;base64,${text.toString('base64')}` } }),
        'input_reference.image_url',
      ],
      [() => createJson({ prompt: 'p', input_reference: { image_url: pngBytes().toString('base64') } }), 'input_reference.image_url'],
      [() => withPrompt(['input_reference', [new Blob([text], { type: 'image/png' }), 'fake.png']]), 'input_reference'],
      [() => withPrompt(['input_reference', 'https://img.example/r.png']), 'input_reference'],
      [() => withPrompt(['input_reference', [new Blob([pngBytes()]), 'r.png']], ['input_reference[file_id]', 'f']), 'input_reference'],
      [() => withPrompt(['input_reference[image_url]', 'https://a/b'], ['input_reference[file_id]', 'f']), 'input_reference'],
      [() => withPrompt(['input_reference', [new Blob([gif]), 'a.gif']]), 'input_reference'],
    ];
    for (const [send, param] of cases) {
      const result = await send();
      assertOpenAIError(result, 400, { message: /./, param });
    }
    assert.equal(openai.createCount(), before);
  });

  test('create rejects unsupported content types and unparseable bodies', async () => {
    const form = await fetch(`${openai.url}/v1/videos`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'prompt=p',
    });
    assertOpenAIError(await jsonResult(form), 400, { message: /^Unsupported content type/ });
    assertOpenAIError(await createJson('{"prompt":'), 400, { message: /could not parse the JSON body/ });
    const badMultipart = await fetch(`${openai.url}/v1/videos`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'multipart/form-data; boundary=zzz' },
      body: 'garbage',
    });
    assertOpenAIError(await jsonResult(badMultipart), 400, { message: /multipart/ });
  });

  test('lifecycle: queued -> in_progress with rising progress -> completed; /content only when ready', async () => {
    const { json: created } = await createJson({ prompt: 'lifecycle', seconds: '12', size: '1280x720' });
    const id = created.id;
    const notReady = await fetch(`${openai.url}/v1/videos/${id}/content`, { headers: auth() });
    assertOpenAIError(await jsonResult(notReady), 400, { message: /not ready/, code: 'video_not_ready' });

    await waitFor(() => openai.status(id) === 'in_progress');
    const progressSeen = [];
    while (openai.status(id) === 'in_progress') {
      const { json } = await getVideo(id);
      if (json.status === 'in_progress') progressSeen.push(json.progress);
      await sleep(15);
    }
    assert.ok(progressSeen.length >= 2, 'observed in_progress at least twice');
    assert.ok(progressSeen.every((p) => Number.isInteger(p) && p >= 1 && p <= 99));
    assert.ok(progressSeen.at(-1) > progressSeen[0], `progress rises: ${progressSeen}`);

    const { json: done } = await getVideo(id);
    assert.equal(done.status, 'completed');
    assert.equal(done.progress, 100);
    assert.equal(done.seconds, '12');
    assert.equal(done.size, '1280x720');
    assert.ok(Number.isInteger(done.completed_at) && done.completed_at >= done.created_at);
    assert.equal(done.expires_at, done.completed_at + 3600);

    const expected = { video: 'video/mp4', thumbnail: 'image/webp', spritesheet: 'image/jpeg' };
    for (const [variant, contentType] of Object.entries(expected)) {
      const response = await fetch(`${openai.url}/v1/videos/${id}/content?variant=${variant}&unknown=1`, {
        headers: { ...auth(), accept: 'application/binary' },
      });
      assert.equal(response.status, 200, variant);
      assert.equal(response.headers.get('content-type'), contentType);
      const bytes = await bodyBytes(response);
      assert.deepEqual(bytes, openai.contentBytes(id, variant));
      assert.equal(sniffImage(bytes) ?? 'video/mp4', contentType);
    }
    const defaultVariant = await fetch(`${openai.url}/v1/videos/${id}/content`, { headers: auth() });
    assert.deepEqual(await bodyBytes(defaultVariant), openai.contentBytes(id));
    assert.deepEqual(openai.contentBytes(id), mp4Bytes(id));

    const ranged = await fetch(`${openai.url}/v1/videos/${id}/content`, { headers: { ...auth(), range: 'bytes=100-199' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 100-199/${48 * 1024}`);
    assert.deepEqual(await bodyBytes(ranged), openai.contentBytes(id).subarray(100, 200));

    const badVariant = await fetch(`${openai.url}/v1/videos/${id}/content?variant=poster`, { headers: auth() });
    assertOpenAIError(await jsonResult(badVariant), 400, {
      message: "Invalid value: 'poster'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.",
      param: 'variant',
      code: 'invalid_value',
    });
  });

  test('unknown ids are 404 for retrieve and content; unknown routes are 404', async () => {
    assertOpenAIError(await getVideo('video_nope'), 404, { message: "Video with id 'video_nope' not found.", code: null });
    const content = await fetch(`${openai.url}/v1/videos/video_nope/content`, { headers: auth() });
    assertOpenAIError(await jsonResult(content), 404, { message: "Video with id 'video_nope' not found." });
    const route = await fetch(`${openai.url}/v1/video/generations`, { headers: auth() });
    assertOpenAIError(await jsonResult(route), 404, { message: 'Invalid URL (GET /v1/video/generations)' });
  });

  test('[mock:fail] ends failed with a moderation error', async () => {
    const { json: created } = await createJson({ prompt: 'nope [mock:fail]' });
    await waitFor(() => openai.status(created.id) === 'failed');
    const { json } = await getVideo(created.id);
    assert.equal(json.status, 'failed');
    assert.deepEqual(json.error, {
      code: 'moderation_blocked',
      message: 'Your request was blocked by our moderation system.',
    });
    const content = await fetch(`${openai.url}/v1/videos/${created.id}/content`, { headers: auth() });
    assert.equal(content.status, 400);
    await content.arrayBuffer();
  });

  test('[mock:large=<MiB>] streams a large video with Range support', async () => {
    const size = 2.5 * 1024 * 1024;
    const { json: created } = await createJson({ prompt: 'huge [mock:large=2.5]' });
    await waitFor(() => openai.status(created.id) === 'completed');
    const response = await fetch(`${openai.url}/v1/videos/${created.id}/content`, { headers: auth() });
    assert.equal(response.headers.get('content-length'), String(size));
    const bytes = await bodyBytes(response);
    assert.equal(bytes.length, size);
    assert.equal(openai.contentBytes(created.id), null);
    assert.equal(sha256Hex(bytes), openai.contentSha256(created.id));
    assert.equal(sha256Hex(bytes), largeVideoSha256(created.id, size));
    const tail = await fetch(`${openai.url}/v1/videos/${created.id}/content`, {
      headers: { ...auth(), range: 'bytes=-1000' },
    });
    assert.equal(tail.status, 206);
    assert.deepEqual(await bodyBytes(tail), bytes.subarray(size - 1000));
  });

  test("statusVocabulary 'relay' uses pending / processing / succeeded / failed", async () => {
    const relay = await startOpenAIMock({ ...fastTimings, statusVocabulary: 'relay' });
    try {
      const headers = { authorization: `Bearer ${relay.apiKey}`, 'content-type': 'application/json' };
      const create = async (prompt) =>
        (await fetch(`${relay.url}/v1/videos`, { method: 'POST', headers, body: JSON.stringify({ prompt }) })).json();
      const status = async (id) => (await (await fetch(`${relay.url}/v1/videos/${id}`, { headers })).json()).status;
      const ok = await create('relay ok');
      const failing = await create('relay [mock:fail]');
      assert.equal(ok.status, 'pending');
      await waitFor(() => relay.status(ok.id) === 'in_progress');
      assert.equal(await status(ok.id), 'processing');
      await waitFor(() => relay.status(ok.id) === 'completed' && relay.status(failing.id) === 'failed');
      assert.equal(await status(ok.id), 'succeeded');
      assert.equal(await status(failing.id), 'failed');
    } finally {
      await relay.close();
    }
  });

  test('faults on create, query and content', async () => {
    const before = openai.createCount();
    openai.failNext({ on: 'create', status: 503 });
    const unavailable = await createJson({ prompt: 'p' });
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.json.error.type, 'server_error');
    assert.equal(openai.createCount(), before);

    const { json: created } = await createJson({ prompt: 'fault target' });
    openai.failNext({ on: 'query', reset: true });
    await expectNetworkFailure(getVideo(created.id));
    assert.equal((await getVideo(created.id)).status, 200);

    await waitFor(() => openai.status(created.id) === 'completed');
    openai.failNext({ on: 'content', hang: true });
    const contentUrl = `${openai.url}/v1/videos/${created.id}/content`;
    await expectNetworkFailure(fetch(contentUrl, { headers: auth(), signal: AbortSignal.timeout(150) }));
    const textHeaders = { 'content-type': 'text/plain', 'retry-after': '2' };
    openai.failNext({ on: 'content', status: 429, body: 'slow down', headers: textHeaders });
    const limited = await fetch(contentUrl, { headers: auth() });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.equal(await limited.text(), 'slow down');

    const count = openai.createCount();
    openai.failNext({ afterCreate: 'reset' });
    await expectNetworkFailure(createJson({ prompt: 'reply lost' }));
    assert.equal(openai.createCount(), count + 1);
    assert.equal([...openai.videos.values()].at(-1).prompt, 'reply lost');
    assert.throws(() => openai.failNext({ on: 'characters', status: 500 }), TypeError);
  });

  test('the request log records method, path, query, lowercased headers and status', async () => {
    const response = await fetch(`${openai.url}/v1/videos/video_nope/content?variant=thumbnail`, {
      headers: { ...auth(), 'X-Custom-Header': 'v' },
    });
    await response.arrayBuffer();
    const entry = openai.requests.at(-1);
    assert.equal(entry.method, 'GET');
    assert.equal(entry.path, '/v1/videos/video_nope/content');
    assert.deepEqual(entry.query, { variant: 'thumbnail' });
    assert.equal(entry.headers['x-custom-header'], 'v');
    assert.equal(entry.status, 404);
  });
});
