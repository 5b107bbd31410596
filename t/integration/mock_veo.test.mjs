// Self-test of the Google Veo mocks (Gemini API and Vertex AI), straight fetch, no nginx.
// Run from t/: node --test integration/mock_veo.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { pngBytes } from '../mocks/media.mjs';
import { startVeoGeminiMock } from '../mocks/veo-gemini.mjs';
import { startVeoVertexMock } from '../mocks/veo-vertex.mjs';

const TIMING = { processingAfterMs: 30, doneAfterMs: 120 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function jsonOf(response) {
  return { status: response.status, json: await response.json() };
}

async function until(fetchOnce) {
  for (let i = 0; i < 100; i++) {
    const { status, json } = await fetchOnce();
    assert.equal(status, 200, JSON.stringify(json));
    if (json.done) return json;
    assert.deepEqual(Object.keys(json), ['name']);
    await sleep(15);
  }
  throw new Error('operation never finished');
}

describe('Veo Gemini API mock', () => {
  let veo;
  const MODEL = 'veo-3.1-fast-generate-preview';
  before(async () => {
    veo = await startVeoGeminiMock(TIMING);
  });
  after(() => veo.close());

  const create = (body, { model = MODEL, headers = { 'x-goog-api-key': veo.apiKey }, query = '' } = {}) =>
    fetch(`${veo.url}/v1beta/models/${model}:predictLongRunning${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }).then(jsonOf);
  const poll = (name) => fetch(`${veo.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': veo.apiKey } }).then(jsonOf);

  test('create -> poll -> done; the file download 302s to the CDN, which serves the bytes without the key', async () => {
    const { status, json } = await create({
      instances: [{ prompt: 'a paper boat in the rain' }],
      parameters: { aspectRatio: '16:9', durationSeconds: 8, resolution: '1080p', negativePrompt: 'text', personGeneration: 'allow_all' },
    });
    assert.equal(status, 200, JSON.stringify(json));
    const match = /^models\/veo-3\.1-fast-generate-preview\/operations\/([a-z0-9]{12})$/.exec(json.name);
    assert.ok(match, json.name);
    const opid = match[1];

    const done = await until(() => poll(json.name));
    assert.equal(done.name, json.name);
    assert.equal(done.response['@type'], 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse');
    const samples = done.response.generateVideoResponse.generatedSamples;
    assert.equal(samples.length, 1);
    const uri = samples[0].video.uri;
    assert.match(uri, /\/v1beta\/files\/[a-z0-9]{12}:download\?alt=media$/);
    assert.ok(uri.startsWith(veo.url));

    const redirect = await fetch(uri, { headers: { 'x-goog-api-key': veo.apiKey }, redirect: 'manual' });
    assert.equal(redirect.status, 302);
    const location = redirect.headers.get('location');
    assert.ok(location.startsWith(veo.cdn.url), location);

    const video = await fetch(location);
    assert.equal(video.status, 200);
    assert.deepEqual(Buffer.from(await video.arrayBuffer()), veo.videoBytes(opid));

    // Following the redirect while still sending the key leaks it to the CDN, which refuses.
    const leaky = await fetch(uri, { headers: { 'x-goog-api-key': veo.apiKey } });
    assert.equal(leaky.status, 400);
    assert.ok(veo.cdn.leaks.some((leak) => leak.header === 'x-goog-api-key'));
  });

  test('auth: bad key 400 API_KEY_INVALID, missing key 403, ?key= accepted for API calls, download needs the header', async () => {
    const body = { instances: [{ prompt: 'x' }] };
    const bad = await create(body, { headers: { 'x-goog-api-key': 'wrong' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.status, 'INVALID_ARGUMENT');
    assert.equal(bad.json.error.message, 'API key not valid. Please pass a valid API key.');
    const missing = await create(body, { headers: {} });
    assert.equal(missing.status, 403);
    assert.equal(missing.json.error.status, 'PERMISSION_DENIED');
    const bearer = await create(body, { headers: { authorization: `Bearer ${veo.apiKey}` } });
    assert.equal(bearer.status, 401);

    const viaQuery = await create({ instances: [{ prompt: 'query key' }] }, { headers: {}, query: `?key=${veo.apiKey}` });
    assert.equal(viaQuery.status, 200);
    const done = await until(() => poll(viaQuery.json.name));
    const uri = done.response.generateVideoResponse.generatedSamples[0].video.uri;
    const noHeader = await fetch(`${uri}&key=${veo.apiKey}`, { redirect: 'manual' });
    assert.equal(noHeader.status, 403);
    assert.equal((await noHeader.json()).error.status, 'PERMISSION_DENIED');
  });

  test('rejects fields the Gemini API does not have (seed, generateAudio, gcsUri, ...) and bad values', async () => {
    const before = veo.createCount();
    const b64 = pngBytes().toString('base64');
    const cases = [
      [{ instances: [{ prompt: 'x' }], parameters: { seed: 1 } }, /Unknown name "seed" at 'parameters': Cannot find field\./],
      [{ instances: [{ prompt: 'x' }], parameters: { generateAudio: true } }, /Unknown name "generateAudio"/],
      [{ instances: [{ prompt: 'x' }], parameters: { storageUri: 'gs://b/p' } }, /Unknown name "storageUri"/],
      [{ instances: [{ prompt: 'x' }], parameters: { fps: 24 } }, /Unknown name "fps"/],
      [{ instances: [{ prompt: 'x' }], parameters: { compressionQuality: 'optimized' } }, /Unknown name "compressionQuality"/],
      [{ instances: [{ prompt: 'x', image: { gcsUri: 'gs://b/i.png', mimeType: 'image/png' } }] }, /Unknown name "gcsUri" at 'instances\[0\]\.image'/],
      [{ instances: [{ prompt: 'x' }], model: MODEL }, /Unknown name "model": Cannot find field/],
      [{ instances: [{ prompt: 'x' }], parameters: { durationSeconds: '8' } }, /durationSeconds/],
      [{ instances: [{ prompt: 'x' }], parameters: { durationSeconds: 5 } }, /durationSeconds/],
      [{ instances: [{ prompt: 'x' }], parameters: { aspectRatio: '1:1' } }, /aspectRatio/],
      [{ instances: [{ prompt: 'x', image: { bytesBase64Encoded: `data:image/png;base64,${b64}`, mimeType: 'image/png' } }] }, /Base64 decoding failed/],
      [{ instances: [{ prompt: 'x' }, { prompt: 'y' }] }, /Only one instance/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await create(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json.error.status, 'INVALID_ARGUMENT');
      assert.match(json.error.message, message);
    }
    const lastFrameOn30 = await create(
      { instances: [{ prompt: 'x', image: { bytesBase64Encoded: b64, mimeType: 'image/png' }, lastFrame: { bytesBase64Encoded: b64, mimeType: 'image/png' } }] },
      { model: 'veo-3.0-generate-001' },
    );
    assert.equal(lastFrameOn30.status, 400);
    const unknownModel = await create({ instances: [{ prompt: 'x' }] }, { model: 'veo-9' });
    assert.equal(unknownModel.status, 404);
    assert.equal(unknownModel.json.error.status, 'NOT_FOUND');
    assert.equal(veo.createCount(), before);

    const i2v = await create({
      instances: [{ prompt: 'x', image: { bytesBase64Encoded: b64, mimeType: 'image/png' }, lastFrame: { bytesBase64Encoded: b64, mimeType: 'image/png' } }],
      parameters: { sampleCount: 2, enhancePrompt: true },
    });
    assert.equal(i2v.status, 200, JSON.stringify(i2v.json));
  });

  test('[mock:fail] ends done with error {code: 3, message}; injected faults are google.rpc.Status', async () => {
    const { json } = await create({ instances: [{ prompt: 'a famous actor [mock:fail]' }] });
    const done = await until(() => poll(json.name));
    assert.equal(done.response, undefined);
    assert.equal(done.error.code, 3);
    assert.equal(typeof done.error.message, 'string');

    veo.failNext({ on: 'create', status: 429 });
    const limited = await create({ instances: [{ prompt: 'x' }] });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.status, 'RESOURCE_EXHAUSTED');
    veo.failNext({ on: 'query', status: 503 });
    const unavailable = await poll(json.name);
    assert.deepEqual([unavailable.status, unavailable.json.error.code, unavailable.json.error.status], [503, 503, 'UNAVAILABLE']);
  });
});

describe('Veo Vertex AI mock', () => {
  let veo;
  const MODEL = 'veo-3.0-generate-001';
  before(async () => {
    veo = await startVeoVertexMock(TIMING);
  });
  after(() => veo.close());

  const modelPath = ({ project = veo.project, location = veo.location, model = MODEL } = {}) =>
    `${veo.url}/v1/projects/${project}/locations/${location}/publishers/google/models/${model}`;
  const post = (url, body, token = veo.accessToken, extraHeaders = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extraHeaders },
      body: JSON.stringify(body),
    }).then(jsonOf);
  const create = (body, where) => post(`${modelPath(where)}:predictLongRunning`, body);
  const fetchOp = (operationName, where) => post(`${modelPath(where)}:fetchPredictOperation`, { operationName });

  test('create -> fetchPredictOperation -> done with the video inline as base64', async () => {
    const image = { bytesBase64Encoded: pngBytes().toString('base64'), mimeType: 'image/png' };
    const { status, json } = await create({
      instances: [{ prompt: 'a lighthouse at dusk', image }],
      parameters: { aspectRatio: '9:16', durationSeconds: 6, seed: 7, generateAudio: true, sampleCount: 1, resizeMode: 'pad', fps: 24 },
    });
    assert.equal(status, 200, JSON.stringify(json));
    const prefix = `projects/${veo.project}/locations/${veo.location}/publishers/google/models/${MODEL}/operations/`;
    assert.ok(json.name.startsWith(prefix), json.name);
    const id = json.name.slice(prefix.length);
    assert.match(id, UUID);

    const done = await until(() => fetchOp(json.name));
    assert.equal(done.name, json.name);
    assert.equal(done.response['@type'], 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse');
    assert.equal(done.response.raiMediaFilteredCount, 0);
    assert.equal(done.response.videos.length, 1);
    assert.equal(done.response.videos[0].mimeType, 'video/mp4');
    assert.deepEqual(Buffer.from(done.response.videos[0].bytesBase64Encoded, 'base64'), veo.videoBytes(id));
  });

  test('auth and addressing: bad token 401, API key 401, wrong project 403, wrong location 404, GET on the operation 404', async () => {
    const body = { instances: [{ prompt: 'x' }] };
    const bad = await post(`${modelPath()}:predictLongRunning`, body, 'ya29.wrong');
    assert.equal(bad.status, 401);
    assert.equal(bad.json.error.status, 'UNAUTHENTICATED');
    assert.match(bad.json.error.message, /^Request had invalid authentication credentials/);
    const apiKey = await post(`${modelPath()}:predictLongRunning`, body, veo.accessToken, { 'x-goog-api-key': 'k' });
    assert.equal(apiKey.status, 401);
    const project = await create(body, { project: 'other-project' });
    assert.equal(project.status, 403);
    assert.equal(project.json.error.status, 'PERMISSION_DENIED');
    const location = await create(body, { location: 'europe-west4' });
    assert.equal(location.status, 404);
    const model = await create(body, { model: 'veo-9' });
    assert.equal(model.status, 404);

    const { json } = await create(body);
    const get = await fetch(`${veo.url}/v1/${json.name}`, { headers: { authorization: `Bearer ${veo.accessToken}` } });
    assert.equal(get.status, 404);
    const otherModel = await fetchOp(json.name, { model: 'veo-2.0-generate-001' });
    assert.equal(otherModel.status, 400);
    const unknown = await fetchOp(json.name.replace(/[0-9a-f]{12}$/, '000000000000'));
    assert.equal(unknown.status, 404);
    const extra = await post(`${modelPath()}:fetchPredictOperation`, { operationName: json.name, name: json.name });
    assert.equal(extra.status, 400);
  });

  test('storageUri gives gs:// results; unknown fields and bad values are rejected', async () => {
    const { json } = await create({ instances: [{ prompt: 'to the bucket' }], parameters: { storageUri: 'gs://my-bucket/veo/', sampleCount: 2 } });
    const done = await until(() => fetchOp(json.name));
    assert.equal(done.response.videos.length, 2);
    for (const [i, video] of done.response.videos.entries()) {
      assert.match(video.gcsUri, new RegExp(`^gs://my-bucket/veo/\\d+/sample_${i}\\.mp4$`));
      assert.equal(video.mimeType, 'video/mp4');
      assert.equal(video.bytesBase64Encoded, undefined);
    }

    const before = veo.createCount();
    const cases = [
      [{ instances: [{ prompt: 'x' }], parameters: { watermark: true } }, /Unknown name "watermark"/],
      [{ instances: [{ prompt: 'x', aspectRatio: '16:9' }] }, /Unknown name "aspectRatio" at 'instances\[0\]'/],
      [{ instances: [{ prompt: 'x' }], parameters: { storageUri: 'https://bucket/x' } }, /storageUri/],
      [{ instances: [{ prompt: 'x' }], parameters: { sampleCount: 5 } }, /sampleCount/],
      [{ instances: [{ prompt: 'x', image: { gcsUri: 'gs://b/i.png' } }] }, /mimeType/],
    ];
    for (const [body, message] of cases) {
      const { status, json: error } = await create(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(error.error.status, 'INVALID_ARGUMENT');
      assert.match(error.error.message, message);
    }
    assert.equal(veo.createCount(), before);
    const gcsImage = await create({ instances: [{ prompt: 'x', image: { gcsUri: 'gs://b/i.png', mimeType: 'image/png' } }] });
    assert.equal(gcsImage.status, 200);
  });

  test('[mock:fail] ends done with error {code, message}; injected faults are google.rpc.Status', async () => {
    const { json } = await create({ instances: [{ prompt: 'something forbidden [mock:fail]' }] });
    const done = await until(() => fetchOp(json.name));
    assert.equal(done.response, undefined);
    assert.equal(done.error.code, 3);
    assert.match(done.error.message, /Responsible AI/);

    veo.failNext({ on: 'query', status: 500 });
    const failed = await fetchOp(json.name);
    assert.deepEqual([failed.status, failed.json.error.status], [500, 'INTERNAL']);
  });
});
