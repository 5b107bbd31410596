// Every vendor behind one API: the same OpenAI requests, routed by model,
// against mocks that check each vendor's auth, paths and fields like the
// real APIs. Per vendor: text-to-video and image-to-video through nginx,
// polling, download, a failed task, vendor errors, and the official SDK.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai-6.49';
import { toFile } from 'openai-6.49';

import { pngBytes, jpegBytes } from '../mocks/media.mjs';
import { startGateway, stopAll } from '../lib/gateway.mjs';
import { fleetMember } from '../lib/vendor-fleet.mjs';
import { get, postJson, postMultipart, pollUntil } from '../lib/http.mjs';
import { assertVideo, assertError } from '../lib/assertions.mjs';

const timing = { processingAfterMs: 80, doneAfterMs: 300 };
const lastTaskId = (mock) => [...mock.tasks.keys()].at(-1);
const creates = (mock) => mock.requests.filter((r) => r.method === 'POST' && r.status !== null);

// What each vendor must receive; `t2v`/`i2v` check the vendor body.
const VENDORS = [
  {
    ...fleetMember('vidu'),
    t2v(sent) {
      assert.equal(sent.path, '/ent/v2/text2video');
      assert.deepEqual(sent.body, { model: 'viduq2', prompt: sent.body.prompt, duration: 8, resolution: '720p', aspect_ratio: '9:16' });
    },
    i2v(sent, png) {
      assert.equal(sent.path, '/ent/v2/img2video');
      assert.deepEqual(sent.body.images, [`data:image/png;base64,${png.toString('base64')}`]);
      assert.equal(sent.body.aspect_ratio, undefined);
    },
    thumbnail: true,
  },
  {
    ...fleetMember('jimeng'),
    t2v(sent) {
      assert.equal(sent.query.Action, 'CVSync2AsyncSubmitTask');
      assert.deepEqual(sent.body, { req_key: 'jimeng_t2v_v30', prompt: sent.body.prompt, frames: 241, aspect_ratio: '9:16' });
    },
    i2v(sent, png) {
      assert.equal(sent.body.req_key, 'jimeng_i2v_first_v30');
      assert.deepEqual(sent.body.binary_data_base64, [png.toString('base64')]);
      assert.equal(sent.body.image_urls, undefined);
    },
    afterPoll(mock) {
      const query = mock.requests.filter((r) => r.query.Action === 'CVSync2AsyncGetResult').at(-1);
      assert.equal(query.body.req_key, 'jimeng_i2v_first_v30', 'the status query repeats the submit req_key');
    },
  },
  {
    ...fleetMember('hailuo'),
    i2vModel: 'MiniMax-Hailuo-02',
    t2v(sent) {
      assert.equal(sent.path, '/v1/video_generation');
      // 8 s is between 6 and 10 (the shorter wins); a 720p-class size is 768P.
      assert.deepEqual(sent.body, { model: 'MiniMax-Hailuo-02', prompt: sent.body.prompt, duration: 6, resolution: '768P' });
    },
    i2v(sent, png) {
      assert.equal(sent.body.first_frame_image, `data:image/png;base64,${png.toString('base64')}`);
    },
  },
  {
    ...fleetMember('seedance'),
    t2v(sent) {
      assert.equal(sent.path, '/api/v3/contents/generations/tasks');
      assert.deepEqual(sent.body, {
        model: 'doubao-seedance-1-0-pro-250528',
        content: [{ type: 'text', text: sent.body.content[0].text }],
        duration: 8, resolution: '720p', ratio: '9:16',
      });
    },
    i2v(sent, png) {
      assert.deepEqual(sent.body.content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` }, role: 'first_frame' });
      assert.equal(sent.body.ratio, undefined);
    },
  },
  {
    ...fleetMember('wan'),
    i2vModel: 'wan2.5-i2v-preview',
    t2v(sent) {
      assert.equal(sent.headers['x-dashscope-async'], 'enable');
      assert.deepEqual(sent.body, { model: 'wan2.5-t2v-preview', input: { prompt: sent.body.input.prompt }, parameters: { size: '720*1280', duration: 10 } });
    },
    i2v(sent, png) {
      assert.equal(sent.body.input.img_url, `data:image/png;base64,${png.toString('base64')}`);
      assert.deepEqual(sent.body.parameters, { resolution: '720P', duration: 5 });
    },
  },
  {
    ...fleetMember('veo-gemini'),
    // Vertex serves the same model, so both are one pool for it.
    sharesModelWith: 'veo-vertex',
    t2v(sent) {
      assert.equal(sent.path, '/v1beta/models/veo-3.1-generate-preview:predictLongRunning');
      assert.deepEqual(sent.body, { instances: [{ prompt: sent.body.instances[0].prompt }], parameters: { aspectRatio: '9:16', resolution: '720p', durationSeconds: 8 } });
    },
    i2v(sent, png) {
      assert.deepEqual(sent.body.instances[0].image, { bytesBase64Encoded: png.toString('base64'), mimeType: 'image/png' });
    },
  },
  {
    ...fleetMember('veo-vertex'),
    t2v(sent, _png, mock) {
      assert.equal(sent.path, `/v1/projects/${mock.project}/locations/${mock.location}/publishers/google/models/veo-3.0-generate-001:predictLongRunning`);
      assert.deepEqual(sent.body.parameters, { aspectRatio: '9:16', resolution: '720p', durationSeconds: 8, sampleCount: 1 });
    },
    i2v(sent, png) {
      assert.deepEqual(sent.body.instances[0].image, { bytesBase64Encoded: png.toString('base64'), mimeType: 'image/png' });
    },
  },
];

const mocks = {};
let gw;

before(async () => {
  for (const v of VENDORS) mocks[v.name] = await v.start(timing);
  gw = await startGateway({
    name: 'vendors',
    // The mocks' CDN is on loopback, which image downloads otherwise refuse.
    http: `${VENDORS.map((v) => v.line(mocks[v.name])).join('\n    ')}
    vgw_image_fetch_allow 127.0.0.1;`,
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  const leaks = Object.values(mocks).flatMap((m) => m.cdn.leaks);
  for (const m of Object.values(mocks)) await m.close();
  assert.deepEqual(serious, []);
  assert.deepEqual(leaks, [], 'no credential ever reached a CDN');
});

async function download(id, variant) {
  const r = await get(gw.url, `/v1/videos/${id}/content${variant ? `?variant=${variant}` : ''}`);
  return r;
}

for (const v of VENDORS) {
  test(`${v.name}: text-to-video, poll, download`, async () => {
    const mock = mocks[v.name];
    const r = await postJson(gw.url, '/v1/videos', { model: v.model, prompt: `${v.name} t2v`, seconds: '8', size: '720x1280' });
    assert.equal(r.status, 200, r.text);
    assertVideo(r.json);
    assert.notEqual(r.json.status, 'failed');
    v.t2v(creates(mock).at(-1), null, mock);
    const taskId = lastTaskId(mock);
    const { video, seen } = await pollUntil(gw.url, r.json.id);
    for (const s of seen) assertVideo(s);
    assert.equal(video.status, 'completed', JSON.stringify(video));
    assert.equal(video.progress, 100);
    const content = await download(r.json.id);
    assert.equal(content.status, 200, content.text);
    assert.equal(content.headers['content-type'], 'video/mp4');
    assert.ok(content.buffer.equals(mock.videoBytes(taskId)), 'the vendor\'s bytes');
    const thumb = await download(r.json.id, 'thumbnail');
    if (v.thumbnail) {
      assert.equal(thumb.status, 200, thumb.text);
    } else {
      assertError(thumb, 404, { code: 'variant_not_found', param: 'variant' });
    }
  });

  test(`${v.name}: image-to-video from an upload`, async () => {
    const mock = mocks[v.name];
    const png = pngBytes({ width: 64, height: 36 });
    const r = await postMultipart(gw.url, '/v1/videos', [
      ['model', v.i2vModel ?? v.model], ['prompt', `${v.name} i2v`],
      { name: 'input_reference', filename: 'frame.png', contentType: 'image/png', data: png },
    ]);
    assert.equal(r.status, 200, r.text);
    v.i2v(creates(mock).at(-1), png);
    const { video } = await pollUntil(gw.url, r.json.id);
    assert.equal(video.status, 'completed', JSON.stringify(video));
    v.afterPoll?.(mock);
  });

  test(`${v.name}: a failed task reads as failed, with the vendor's reason`, async () => {
    const r = await postJson(gw.url, '/v1/videos', { model: v.model, prompt: `${v.name} [mock:fail]` });
    assert.equal(r.status, 200, r.text);
    const { video } = await pollUntil(gw.url, r.json.id);
    assertVideo(video, { status: 'failed' });
    assert.ok(video.error.message.length > 5, video.error.message);
    const content = await download(r.json.id);
    assertError(content, 400, { code: 'video_failed' });
  });

  test(`${v.name}: vendor rate limit and outage map to 429 and 502`, async () => {
    const mock = mocks[v.name];
    const pool = [mock, ...(v.sharesModelWith ? [mocks[v.sharesModelWith]] : [])];
    const poolCreates = () => pool.map((m) => creates(m).length);
    if (pool.length > 1) {
      // A rate limit leaves no task, so the create moves on to the other vendor.
      mock.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '3' } });
      const before = poolCreates();
      const moved = await postJson(gw.url, '/v1/videos', { model: v.model, prompt: 'moved on' });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(poolCreates()[1], before[1] + 1, 'the other vendor made the task');
      const polled = await get(gw.url, `/v1/videos/${moved.json.id}`);
      assert.equal(polled.status, 200, polled.text);
      assert.equal(polled.json.model, v.model);
    }
    for (const m of pool) m.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '3' } });
    let r = await postJson(gw.url, '/v1/videos', { model: v.model, prompt: 'limited' });
    assertError(r, 429);
    assert.ok(r.headers['retry-after']);
    // A 503 may come after the task was made: no second vendor is tried.
    mock.failNext({ on: 'create', status: 503 });
    const before = poolCreates();
    r = await postJson(gw.url, '/v1/videos', { model: v.model, prompt: 'down' });
    assertError(r, 502);
    assert.deepEqual(poolCreates().slice(1), before.slice(1));
  });
}

test('the official SDK runs create -> retrieve -> downloadContent on every vendor', async () => {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-sdk', maxRetries: 0 });
  const png = pngBytes({ width: 16, height: 16 });
  for (const v of VENDORS) {
    const mock = mocks[v.name];
    const created = await client.videos.create({
      model: v.i2vModel ?? v.model, prompt: `sdk ${v.name}`,
      input_reference: await toFile(png, 'ref.png', { type: 'image/png' }),
    });
    assert.equal(created.object, 'video');
    const taskId = lastTaskId(mock);
    let video = created;
    for (let i = 0; i < 100 && !['completed', 'failed'].includes(video.status); i++) {
      await new Promise((res) => setTimeout(res, 50));
      video = await client.videos.retrieve(created.id);
    }
    assert.equal(video.status, 'completed', `${v.name}: ${JSON.stringify(video)}`);
    const response = await client.videos.downloadContent(created.id);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.ok(bytes.equals(mock.videoBytes(taskId)), `${v.name}: downloaded bytes`);
  }
});

test('image URLs and data URLs reach every vendor in the form it takes', async () => {
  const jpeg = jpegBytes('frame');
  const dataUrl = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  const url = 'https://images.example.com/frame.jpg';
  // Where each vendor's body carries the first image.
  const image = {
    vidu: (b) => b.images[0],
    jimeng: (b) => b.image_urls?.[0] ?? b.binary_data_base64?.[0],
    hailuo: (b) => b.first_frame_image,
    seedance: (b) => b.content[1].image_url.url,
    wan: (b) => b.input.img_url,
    'veo-gemini': (b) => b.instances[0].image.bytesBase64Encoded,
    'veo-vertex': (b) => b.instances[0].image.bytesBase64Encoded,
  };
  const takesRawBase64 = ['jimeng', 'veo-gemini', 'veo-vertex'];
  for (const v of VENDORS) {
    const model = v.i2vModel ?? v.model;
    let r = await postJson(gw.url, '/v1/videos', { model, prompt: 'data url', input_reference: { image_url: dataUrl } });
    assert.equal(r.status, 200, `${v.name}: ${r.text}`);
    const sent = image[v.name](creates(mocks[v.name]).at(-1).body);
    assert.equal(sent, takesRawBase64.includes(v.name) ? jpeg.toString('base64') : dataUrl, v.name);
    if (v.name.startsWith('veo')) continue; // URLs are downloaded: next test
    r = await postJson(gw.url, '/v1/videos', { model, prompt: 'url', input_reference: { image_url: url } });
    assert.equal(r.status, 200, `${v.name}: ${r.text}`);
    assert.equal(image[v.name](creates(mocks[v.name]).at(-1).body), url, v.name);
  }
});

test('bytes-only vendors (Veo): the gateway downloads image URLs, within its address policy', async () => {
  const jpeg = jpegBytes('remote');
  const cdnPath = '/images/frame.jpg';
  mocks['veo-gemini'].cdn.register(cdnPath, { bytes: jpeg, contentType: 'image/jpeg' });
  const url = mocks['veo-gemini'].cdn.signUrl(cdnPath, 600);
  let r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'from a url', input_reference: { image_url: url } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(creates(mocks['veo-gemini']).at(-1).body.instances[0].image, { bytesBase64Encoded: jpeg.toString('base64'), mimeType: 'image/jpeg' });
  const fetched = mocks['veo-gemini'].cdn.requests.filter((q) => q.path === cdnPath);
  assert.equal(fetched.length, 1);
  assert.equal(fetched[0].headers.authorization, undefined, 'no credential with the download');
  r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'x', input_reference: { image_url: `${mocks['veo-gemini'].cdn.url}/missing.jpg` } });
  assertError(r, 400, { param: 'input_reference.image_url', code: 'image_fetch_failed' });
  r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'x', input_reference: { image_url: 'http://10.1.2.3/a.jpg' } });
  assertError(r, 400, { code: 'invalid_image_url' });
});

test('vendor-specific extras pass through where the rules allow them, else 400', async () => {
  let r = await postJson(gw.url, '/v1/videos', { model: 'viduq2', prompt: 'extras', metadata: { movement_amplitude: 'large', bgm: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(creates(mocks.vidu).at(-1).body.movement_amplitude, 'large');
  r = await postJson(gw.url, '/v1/videos', { model: 'wan2.5-t2v-preview', prompt: 'extras', metadata: { negative_prompt: 'blur', seed: 7 } });
  assert.equal(r.status, 200, r.text);
  const wan = creates(mocks.wan).at(-1).body;
  assert.equal(wan.input.negative_prompt, 'blur');
  assert.equal(wan.parameters.seed, 7);
  r = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'x', metadata: { seed: 1 } });
  assertError(r, 400, { param: 'metadata.seed', code: 'unknown_parameter' });
});
