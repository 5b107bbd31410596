// Every client dialect in ../shared/seeds, as their documents show them:
// the unified /v1/video/generations API (001), JSON creates with the
// extended field set (004), relay extras (003) and the retrieve extras
// (000/002). Each seed's request is sent as documented; the documented
// response fields must be there with the right types.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock, startOpenAIMock, startViduMock, startJimengMock, startVeoGeminiMock } from '../mocks/index.mjs';
import { pngBytes } from '../mocks/media.mjs';
import { CONF_EXAMPLES, startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { get, postJson, postMultipart, pollUntil, rawRequest } from '../lib/http.mjs';
import { assertVideo, assertError } from '../lib/assertions.mjs';

const timing = { processingAfterMs: 60, doneAfterMs: 250 };
let kling, openai, relay, vidu, jimeng, veo, gw;

before(async () => {
  kling = await startKlingMock(timing);
  openai = await startOpenAIMock({ inProgressAfterMs: 60, doneAfterMs: 250 });
  relay = await startOpenAIMock({ apiKey: 'sk-relay', channel: 'reverse', inProgressAfterMs: 60, doneAfterMs: 250 });
  vidu = await startViduMock(timing);
  jimeng = await startJimengMock(timing);
  veo = await startVeoGeminiMock(timing);
  const v = (name) => `${CONF_EXAMPLES}/vendors/${name}.yaml`;
  gw = await startGateway({
    name: 'dialects',
    http: `${vendorLines({ openai, kling })}
    vgw_vendor ${v('sora-relay')} base_url=${relay.url} api_key=${relay.apiKey} models=sora-1.0:sora-2,sora-turbo:sora-2;
    vgw_vendor ${v('vidu')} base_url=${vidu.url} api_key=${vidu.apiKey};
    vgw_vendor ${v('jimeng')} base_url=${jimeng.url} access_key=${jimeng.accessKey} secret_key=${jimeng.secretKey};
    vgw_vendor ${v('veo-gemini')} base_url=${veo.url} api_key=${veo.apiKey};`,
    // A second mount: OpenAI status words, and the public URL a TLS proxy in
    // front of nginx announces.
    server: `location /words/v1/ {
            vgw_api;
            vgw_unified_status openai;
            vgw_public_url $http_x_forwarded_proto://$http_x_forwarded_host;
        }`,
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  for (const m of [kling, openai, relay, vidu, jimeng, veo]) await m?.close();
  assert.deepEqual(serious, []);
});

const lastCreate = (mock) => mock.requests.filter((r) => r.method === 'POST' && r.status === 200).at(-1);

async function pollUnified(taskId, { prefix = '/v1', headers = {}, until = ['succeeded', 'failed', 'completed'] } = {}) {
  for (let i = 0; i < 150; i++) {
    const r = await get(gw.url, `${prefix}/video/generations/${taskId}`, { headers });
    assert.equal(r.status, 200, r.text);
    if (until.includes(r.json.status)) return r;
    await new Promise((res) => setTimeout(res, 40));
  }
  throw new Error(`task ${taskId} did not finish`);
}

// The unified query's documented fields and types.
function assertUnifiedTask(t) {
  assert.deepEqual(Object.keys(t).sort(), ['error', 'format', 'metadata', 'progress', 'status', 'task_id', 'url'].sort());
  assert.match(t.task_id, /^video_/);
  assert.ok(['queued', 'processing', 'succeeded', 'failed'].includes(t.status), t.status);
  assert.equal(t.format, 'mp4');
  assert.equal(typeof t.metadata, 'object');
  assert.ok(t.url === null || typeof t.url === 'string');
  assert.ok(t.error === null || (Number.isInteger(t.error.code) && typeof t.error.message === 'string'));
}

test('seed 001 (unified, Kling): the documented request, query fields and download', async () => {
  const r = await postJson(gw.url, '/v1/video/generations', {
    model: 'kling-v1',
    prompt: '生成一段视频，内容为，画面，画面',
    size: '1920x1080',
    image: 'https://h2.inkwai.com/bs2/upload-ylab-stunt/se/ai_portal_queue_mmu_image_upscale_aiweb/3214b798-e1b4-4b00-b7af-72b5b0417420_raw_image_0.jpg',
    duration: 5,
    metadata: { seed: 20231234, negative_prompt: '负面', image_tail: 'https://h1.inkwai.com/bs2/upload-ylab-stunt/1fa0ac67d8ce6cd55b50d68b967b3a59.png' },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['status', 'task_id']);
  assert.equal(r.json.status, 'queued');
  assert.equal(r.headers['x-vgw-ignored-parameters'], 'metadata.seed', 'Kling has no seed: said, not silently dropped');
  const sent = lastCreate(kling).body;
  assert.equal(sent.image, 'https://h2.inkwai.com/bs2/upload-ylab-stunt/se/ai_portal_queue_mmu_image_upscale_aiweb/3214b798-e1b4-4b00-b7af-72b5b0417420_raw_image_0.jpg');
  assert.equal(sent.negative_prompt, '负面');
  assert.equal(sent.image_tail, 'https://h1.inkwai.com/bs2/upload-ylab-stunt/1fa0ac67d8ce6cd55b50d68b967b3a59.png');
  assert.equal(sent.duration, '5');

  const done = await pollUnified(r.json.task_id);
  assertUnifiedTask(done.json);
  assert.equal(done.json.status, 'succeeded');
  assert.deepEqual(done.json.metadata, { duration: 5, width: 1920, height: 1080, seed: 20231234 });
  assert.equal(done.json.error, null);
  assert.equal(done.json.url, `${gw.url}/v1/videos/${r.json.task_id}/content`);
  const file = await get(gw.url, new URL(done.json.url).pathname);
  assert.equal(file.status, 200);
  assert.equal(file.headers['content-type'], 'video/mp4');
  assert.ok(file.buffer.equals(kling.videoBytes([...kling.tasks.keys()].at(-1))));

  // The same id through the OpenAI API, and back.
  const video = await get(gw.url, `/v1/videos/${r.json.task_id}`);
  assertVideo(video.json, { status: 'completed' });
  assert.equal(video.json.url, done.json.url);
  assert.equal(video.json.metadata.seed, 20231234);
});

test('seed 001 (unified, Jimeng): req_key and image_urls in metadata, the same req_key on every query', async () => {
  const image = 'https://h2.inkwai.com/bs2/upload-ylab-stunt/se/ai_portal_queue_mmu_image_upscale_aiweb/3214b798-e1b4-4b00-b7af-72b5b0417420_raw_image_0.jpg';
  const r = await postJson(gw.url, '/v1/video/generations', {
    model: 'jimeng_vgfm_t2v_l20',
    prompt: '□□□□□□□□□□□□□□□□',
    image,
    metadata: { req_key: 'jimeng_vgfm_i2v_l20', image_urls: [image], aspect_ratio: '16:9' },
  });
  assert.equal(r.status, 200, r.text);
  const sent = lastCreate(jimeng).body;
  assert.equal(sent.req_key, 'jimeng_vgfm_i2v_l20');
  assert.deepEqual(sent.image_urls, [image]);
  const done = await pollUnified(r.json.task_id);
  assertUnifiedTask(done.json);
  assert.equal(done.json.status, 'succeeded', JSON.stringify(done.json));
  const queries = jimeng.requests.filter((q) => q.query.Action === 'CVSync2AsyncGetResult');
  assert.ok(queries.length > 0);
  for (const q of queries.slice(-2)) assert.equal(q.body.req_key, 'jimeng_vgfm_i2v_l20');
});

test('seed 001 (unified, Vidu): resolution, movement and payload from metadata', async () => {
  const r = await postJson(gw.url, '/v1/video/generations', {
    model: 'viduq1',
    prompt: '□□□□□□□□□□□□□□□□, □□□, □□□',
    size: '1920x1080',
    image: 'https://prod-ss-images.s3.cn-northwest-1.amazonaws.com.cn/vidu-maas/template/image2video.png',
    duration: 5,
    metadata: { duration: 5, seed: 0, resolution: '1080p', movement_amplitude: 'auto', bgm: false, payload: '' },
  });
  assert.equal(r.status, 200, r.text);
  const sent = lastCreate(vidu);
  assert.equal(sent.path, '/ent/v2/img2video');
  assert.equal(sent.body.resolution, '1080p');
  assert.equal(sent.body.seed, 0);
  assert.equal(sent.body.bgm, false);
  const done = await pollUnified(r.json.task_id);
  assert.equal(done.json.status, 'succeeded');
  assertUnifiedTask(done.json);
});

test('unified errors use the seed\'s bare {code, message, param, type} shape', async () => {
  const r = await postJson(gw.url, '/v1/video/generations', { model: 'no-such-model', prompt: 'x' });
  assert.equal(r.status, 400);
  assert.deepEqual(Object.keys(r.json).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.json.param, 'model');
  const missing = await get(gw.url, '/v1/video/generations/video_forged');
  assert.equal(missing.status, 404);
  assert.equal(typeof missing.json.message, 'string');
  const bad = await postJson(gw.url, '/v1/video/generations', { model: 'kling-v1', prompt: 'x', n: 2 });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.param, 'n');
});

test('vgw_unified_status openai and vgw_public_url behind a TLS proxy', async () => {
  const r = await postJson(gw.url, '/words/v1/video/generations', { model: 'kling-v1', prompt: 'words' });
  assert.equal(r.status, 200, r.text);
  const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'videos.example.com' };
  const done = await pollUnified(r.json.task_id, { prefix: '/words/v1', headers, until: ['completed', 'failed'] });
  assert.equal(done.json.status, 'completed');
  assert.equal(done.json.url, `https://videos.example.com/words/v1/videos/${r.json.task_id}/content`);
});

test('seed 004: JSON create with duration, width/height, fps, n; metadata echoed', async () => {
  const r = await postJson(gw.url, '/v1/videos', {
    model: 'sora-1.0',
    prompt: 'A cute orange cat napping in the sunlight with wind gently blowing its fur',
    duration: 10, width: 1920, height: 1080, fps: 30, n: 1,
  });
  assert.equal(r.status, 200, r.text);
  assertVideo(r.json, { status: 'queued' });
  assert.equal(r.json.seconds, '10');
  assert.equal(r.json.size, '1280x720', 'the Sora size with the same shape as 1920x1080');
  assert.deepEqual(r.json.metadata, { fps: 30 });
  assert.equal(r.headers['x-vgw-ignored-parameters'], 'fps');
  const sent = lastCreate(relay).body;
  assert.equal(sent.seconds, '10');
  assert.equal(sent.model, 'sora-2');
  const { video } = await pollUntil(gw.url, r.json.id);
  assertVideo(video, { status: 'completed' });
  assert.deepEqual(video.metadata, { fps: 30 });
  assert.equal(video.quality, 'standard', 'the relay channel reports a quality');
  const many = await postJson(gw.url, '/v1/videos', { model: 'sora-1.0', prompt: 'x', n: 2 });
  assertError(many, 400, { param: 'n' });
  const b64 = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x', response_format: 'b64_json' });
  assertError(b64, 400, { param: 'response_format' });
  const raw = await postJson(gw.url, '/v1/videos', { model: 'kling-v1-6', prompt: 'raw base64', image: pngBytes({ width: 4, height: 4 }).toString('base64'), seed: 12345 });
  assert.equal(raw.status, 200, raw.text);
  assert.equal(lastCreate(kling).body.image, pngBytes({ width: 4, height: 4 }).toString('base64'));
  assert.deepEqual(raw.json.metadata, { seed: 12345 });
});

test('seed 003: per-model seconds of a reverse channel, character fields where supported', async () => {
  const r = await postMultipart(gw.url, '/v1/videos', [
    ['model', 'sora-1.0'], ['prompt', 'a character'], ['seconds', '15'],
    ['character_url', 'https://cdn.example.com/character.mp4'], ['character_timestamps', '1,3'],
  ]);
  assert.equal(r.status, 200, r.text);
  assert.equal(lastCreate(relay).body.character_timestamps, '1,3');
  const wrong = await postJson(gw.url, '/v1/videos', { model: 'sora-1.0', prompt: 'x', seconds: '8' });
  const e = assertError(wrong, 400, { param: 'seconds' });
  for (const s of ['10', '15', '25']) assert.ok(e.message.includes(`'${s}'`), e.message);
  const official = await postJson(gw.url, '/v1/videos', { model: 'sora-2', prompt: 'x', seconds: '15' });
  assertError(official, 400, { param: 'seconds' });
  const kling400 = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x', character_url: 'https://x/y.mp4' });
  assertError(kling400, 400, { param: 'character_url', code: 'unknown_parameter' });
});

test('seeds 000/002: multipart create, retrieve with url and video_url, download with headers', async () => {
  const r = await postMultipart(gw.url, '/v1/videos', [
    ['model', 'sora-2'], ['prompt', 'A calico cat playing a piano on stage'], ['size', '1280x720'], ['seconds', '8'],
  ]);
  assert.equal(r.status, 200, r.text);
  for (const [k, type] of [['id', 'string'], ['object', 'string'], ['model', 'string'], ['status', 'string'],
    ['progress', 'number'], ['created_at', 'number'], ['size', 'string'], ['seconds', 'string']]) {
    assert.equal(typeof r.json[k], type, k);
  }
  const { video } = await pollUntil(gw.url, r.json.id);
  assertVideo(video, { status: 'completed' });
  assert.equal(video.url, `${gw.url}/v1/videos/${r.json.id}/content`);
  assert.equal(video.video_url, video.url);
  assert.equal('quality' in video, false, 'OpenAI reports no quality: the key is absent, not invented');
  assert.ok(Number.isInteger(video.expires_at));
  const file = await rawRequest(gw.url, { path: new URL(video.url).pathname, headers: { Authorization: 'Bearer sk-client-tenant-a' } });
  assert.equal(file.status, 200);
  assert.equal(file.headers['content-type'], 'video/mp4');
  assert.equal(Number(file.headers['content-length']), file.buffer.length);

  const veoSeed = await postJson(gw.url, '/v1/videos', { model: 'veo-3', prompt: '□□□□□□,□□□□□□□□', size: '1280x720', seconds: '8' });
  assert.equal(veoSeed.status, 200, veoSeed.text);
  assert.equal(lastCreate(veo).path, '/v1beta/models/veo-3.0-generate-001:predictLongRunning');
});
