// The OpenAI Videos API as SDK 7.59 calls it, against every shipped vendor
// (each a mock that checks auth and fields): create, retrieve, list,
// downloadContent, remix and delete. Where a vendor has the call it runs
// end to end (remix and vendor-side deletion: OpenAI-compatible upstreams;
// deletion also Seedance); where it has not, the SDK gets the 400 that
// names the models that can.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai-7.59';

import { startGateway, stopAll } from '../lib/gateway.mjs';
import { mp4Bytes, mp4WithDuration } from '../mocks/media.mjs';
import { FLEET, startFleet } from '../lib/vendor-fleet.mjs';

let fleet;
let gw;

before(async () => {
  fleet = await startFleet();
  gw = await startGateway({ name: 'videos-api', workers: 2, http: fleet.lines });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const REMIX = new Set(['openai']);
// Vendors whose own record of the task is deleted with the video.
const VENDOR_DELETES = new Set(['openai', 'seedance']);

async function finished(c, id) {
  for (let i = 0; i < 300; i++) {
    const v = await c.videos.retrieve(id);
    if (v.status === 'completed' || v.status === 'failed') return v;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`${id} never finished`);
}

let serial = 0;
for (const vendor of FLEET) {
  test(`${vendor.name}: every call of SDK 7.59 that the vendor can serve`, async () => {
    const c = new OpenAI({ apiKey: `sk-api-${vendor.name}-${serial++}`, baseURL: `${gw.url}/v1` });
    const mock = fleet.mocks[vendor.name];
    const video = await c.videos.create({ model: vendor.model, prompt: `${vendor.name} at dusk` });
    assert.equal(video.status, 'queued');
    const done = await finished(c, video.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.prompt, `${vendor.name} at dusk`);

    const listed = [];
    for await (const v of c.videos.list({ limit: 1 })) listed.push(v.id);
    assert.deepEqual(listed, [video.id]);

    const content = await c.videos.downloadContent(video.id);
    assert.ok((await content.arrayBuffer()).byteLength > 0);

    if (REMIX.has(vendor.name)) {
      const remix = await c.videos.remix(video.id, { prompt: 'the same, at dawn' });
      assert.equal(remix.remixed_from_video_id, video.id);
      assert.equal(remix.model, vendor.model);
      assert.equal(remix.prompt, 'the same, at dawn');
      const remixDone = await finished(c, remix.id);
      assert.equal(remixDone.status, 'completed');
      assert.equal(remixDone.remixed_from_video_id, video.id);
      const sourceTask = mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/remix')).at(-1);
      assert.ok(sourceTask, 'the upstream was asked to remix');
      assert.deepEqual((await c.videos.list()).data.map((v) => v.id), [remix.id, video.id]);
      await c.videos.delete(remix.id);
    } else {
      const calls = mock.requests.length;
      await assert.rejects(c.videos.remix(video.id, { prompt: 'again' }), (e) => {
        assert.equal(e.status, 400);
        assert.equal(e.code, 'unsupported_by_vendor');
        assert.match(e.message, /'sora-2'/);
        return true;
      });
      assert.equal(mock.requests.length, calls, 'no vendor call');
    }

    const deletes = mock.requests.filter((r) => r.method === 'DELETE').length;
    assert.deepEqual(await c.videos.delete(video.id), { id: video.id, object: 'video.deleted', deleted: true });
    const vendorDeleted = mock.requests.filter((r) => r.method === 'DELETE').length - deletes;
    assert.equal(vendorDeleted, VENDOR_DELETES.has(vendor.name) ? 1 : 0, 'deleted at the vendor where it can');
    if (vendor.name === 'openai') assert.equal(mock.videos.size, 0, 'neither the video nor its remix is left upstream');
    if (vendor.name === 'seedance') assert.ok([...mock.tasks.values()].every((t) => t.deleted));
    await assert.rejects(c.videos.retrieve(video.id), (e) => e.status === 404);
    await assert.rejects(c.videos.downloadContent(video.id), (e) => e.status === 404);
    assert.deepEqual((await c.videos.list()).data, []);
  });
}


test('edit, extend, createCharacter and getCharacter: the SDK gets a 400 that says why, or a 404', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-unserved', baseURL: `${gw.url}/v1` });
  const video = await c.videos.create({ model: 'kling-v2-6', prompt: 'source' });
  const calls = fleet.mocks.kling.requests.length;
  const unsupported = (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.equal(e.param, 'video');
    return true;
  };
  const hailuo = await c.videos.create({ model: 'MiniMax-Hailuo-02', prompt: 'source' });
  await assert.rejects(c.videos.edit({ video: { id: hailuo.id }, prompt: 'brighter' }), (e) => {
    unsupported(e);
    assert.match(e.message, /'MiniMax-Hailuo-02' cannot be edited/);
    assert.match(e.message, /'kling-v2-6'/, 'names the models whose videos can be');
    return true;
  });
  await assert.rejects(c.videos.extend({ video: { id: video.id }, prompt: 'longer', seconds: '8' }), (e) => {
    unsupported(e);
    assert.match(e.message, /cannot be extended/);
    return true;
  });
  const notVideo = new File([Buffer.alloc(2048, 1)], 'clip.mp4', { type: 'video/mp4' });
  await assert.rejects(c.videos.createCharacter({ name: 'Hero', video: notVideo }),
    (e) => e.status === 400 && e.code === 'invalid_video' && e.param === 'video');
  await assert.rejects(c.videos.extend({ video: { id: 'video_not_yours' }, prompt: 'x', seconds: '8' }),
    (e) => e.status === 404 && e.code === 'video_not_found');
  await assert.rejects(c.videos.getCharacter('char_123'), (e) => e.status === 404 && e.code === 'character_not_found');
  assert.equal(fleet.mocks.kling.requests.length, calls, 'no vendor call');
});

test('a remix reply spoilt after the upstream made the task costs exactly one task under the SDK\'s retries', async () => {
  const mock = fleet.mocks.openai;
  const c = new OpenAI({ apiKey: 'sk-api-remix-money', baseURL: `${gw.url}/v1` });
  const source = await c.videos.create({ model: 'sora-2', prompt: 'remix money' });
  await finished(c, source.id);
  const remixes = () => [...mock.videos.values()].filter((v) => v.remixedFrom).length;
  for (const spoil of [{ status: 502 }, 'garbage', 'reset']) {
    const before = remixes();
    mock.failNext({ on: 'remix', afterCreate: spoil });
    await assert.rejects(c.videos.remix(source.id, { prompt: `again ${JSON.stringify(spoil)}` }), (e) => {
      assert.ok(e.status >= 500, `${JSON.stringify(spoil)}: ${e.status}`);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      return true;
    });
    assert.equal(remixes(), before + 1, `${JSON.stringify(spoil)}: exactly one upstream task`);
  }
});

// Extensions where a vendor's public API has them: Kling's video-extend
// (V1.0-V1.6 videos, by Kling's video id), Veo 3.1 on the Gemini API (by
// the result's file URI) and on Vertex AI (by the result's bytes), and
// Vidu's extend (q2 models, by creation id). The source's status is read
// first; the new video lasts the source's seconds plus the extension's.
const EXTENDS = [
  { vendor: 'kling', model: 'kling-v1-6', seconds: '5', extended: '10', path: '/v1/videos/video-extend' },
  { vendor: 'veo-gemini', model: 'veo-3.1-generate-preview', seconds: '8', extended: '15', path: ':predictLongRunning' },
  { vendor: 'vidu', model: 'viduq2-pro', seconds: '8', extended: '12', path: '/ent/v2/extend' },
  // An operator's alias for Veo 3.1 on Vertex (the rule names Vertex's models).
  { vendor: 'veo-vertex', model: 'vertex-veo-3.1', seconds: '8', extended: '15', path: ':predictLongRunning' },
];
for (const x of EXTENDS) {
  test(`${x.vendor}: extend runs end to end through SDK 7.59 on the vendor's own extension`, async () => {
    const c = new OpenAI({ apiKey: `sk-api-extend-${x.vendor}`, baseURL: `${gw.url}/v1` });
    const mock = fleet.mocks[x.vendor];
    const source = await c.videos.create({ model: x.model, prompt: 'a long road', seconds: x.seconds });
    const tasks = () => mock.tasks.size;

    // Not finished yet: refused before any extension is asked for.
    const before = tasks();
    await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: 'further', seconds: '4' }), (e) => {
      assert.equal(e.status, 400);
      assert.equal(e.code, 'video_not_finished');
      assert.equal(e.param, 'video');
      return true;
    });
    assert.equal(tasks(), before);
    await finished(c, source.id);
    await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: 'x', seconds: '4', size: '720x1280' }),
      (e) => e.status === 400 && e.code === 'unknown_parameter' && e.param === 'size');

    const extended = await c.videos.extend({ video: { id: source.id }, prompt: 'further down the road', seconds: '4' });
    assert.equal(tasks(), before + 1, 'one extension task');
    assert.equal(extended.status, 'queued');
    assert.equal(extended.model, x.model);
    assert.equal(extended.prompt, 'further down the road');
    assert.equal(extended.seconds, x.extended, 'the stitched total');
    const asked = mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith(x.path)).at(-1);
    const sourceTask = [...mock.tasks.values()].find((t) => t.request.prompt === 'a long road'
      || t.request.instances?.[0]?.prompt === 'a long road');
    if (x.vendor === 'kling') {
      assert.deepEqual(asked.body, { video_id: sourceTask.videoId, prompt: 'further down the road' });
    } else if (x.vendor === 'vidu') {
      assert.deepEqual(asked.body, { model: 'viduq2-pro', video_creation_id: `c${sourceTask.id}`, prompt: 'further down the road', duration: 4 });
    } else if (x.vendor === 'veo-vertex') {
      // The source's bytes, read from its status query, go back as they are.
      const { bytesBase64Encoded, mimeType } = asked.body.instances[0].video;
      assert.equal(mimeType, 'video/mp4');
      assert.ok(Buffer.from(bytesBase64Encoded, 'base64').equals(mock.videoBytes(sourceTask.id)));
      assert.deepEqual(asked.body.parameters, { aspectRatio: '16:9', sampleCount: 1 });
      assert.equal([...mock.tasks.values()].find((t) => t.extends === sourceTask.id)?.seconds, 15);
    } else {
      assert.match(asked.body.instances[0].video.uri, /\/v1beta\/files\/[a-z0-9]+:download\?alt=media$/);
      assert.deepEqual(asked.body.parameters, { durationSeconds: 8, resolution: '720p' });
    }
    const done = await finished(c, extended.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.seconds, x.extended);
    assert.ok((await (await c.videos.downloadContent(extended.id)).arrayBuffer()).byteLength > 0);
    assert.deepEqual((await c.videos.list()).data.map((v) => v.id), [extended.id, source.id]);

    // A deleted source extends no more.
    await c.videos.delete(source.id);
    await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: 'x', seconds: '4' }),
      (e) => e.status === 404 && e.code === 'video_not_found');
    assert.equal(tasks(), before + 1);
  });
}

test('an extension reply spoilt after Kling made the task costs exactly one task under the SDK\'s retries', async () => {
  const mock = fleet.mocks.kling;
  const c = new OpenAI({ apiKey: 'sk-api-extend-money', baseURL: `${gw.url}/v1` });
  const source = await c.videos.create({ model: 'kling-v1-6', prompt: 'extend money' });
  await finished(c, source.id);
  const extensions = () => [...mock.tasks.values()].filter((t) => t.extends).length;
  for (const spoil of [{ status: 502 }, 'garbage', 'reset']) {
    const before = extensions();
    mock.failNext({ on: 'create', afterCreate: spoil });
    await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: `more ${JSON.stringify(spoil)}`, seconds: '4' }), (e) => {
      assert.ok(e.status >= 500, `${JSON.stringify(spoil)}: ${e.status}`);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      return true;
    });
    assert.equal(extensions(), before + 1, `${JSON.stringify(spoil)}: exactly one extension task`);
  }
});

// Edits where a vendor's public API has them: Seedance 2.0 remakes one of
// its videos by a prompt, given the source's result URL as a
// reference_video; the edit keeps the source's length.
test('seedance: edit runs end to end through SDK 7.59 on Seedance 2.0\'s reference video', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-edit-seedance', baseURL: `${gw.url}/v1` });
  const mock = fleet.mocks.seedance;
  const source = await c.videos.create({ model: 'doubao-seedance-2-0-260128', prompt: 'a red kite', seconds: '8' });
  assert.equal(source.seconds, '8');
  const edits = () => [...mock.tasks.values()].filter((t) => t.referenceVideos?.length).length;
  await assert.rejects(c.videos.edit({ video: { id: source.id }, prompt: 'make the kite blue' }),
    (e) => e.status === 400 && e.code === 'video_not_finished');
  await finished(c, source.id);
  const edited = await c.videos.edit({ video: { id: source.id }, prompt: 'make the kite blue' });
  assert.equal(edits(), 1);
  assert.equal(edited.status, 'queued');
  assert.equal(edited.model, 'doubao-seedance-2-0-260128');
  assert.equal(edited.seconds, '8', 'as long as its source');
  const asked = mock.requests.filter((r) => r.method === 'POST').at(-1).body;
  const sourceTask = [...mock.tasks.values()].find((t) => t.request.content?.[0]?.text === 'a red kite');
  assert.equal(new URL(asked.content[1].video_url.url).pathname, sourceTask.videoPath);
  assert.deepEqual({ ...asked, content: [asked.content[0], { ...asked.content[1], video_url: {} }] }, {
    model: 'doubao-seedance-2-0-260128',
    content: [{ type: 'text', text: 'make the kite blue' }, { type: 'video_url', video_url: {}, role: 'reference_video' }],
    duration: -1,
    ratio: 'adaptive',
  });
  const done = await finished(c, edited.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal(done.seconds, '8');
  assert.ok((await (await c.videos.downloadContent(edited.id)).arrayBuffer()).byteLength > 0);

  // Seedance 1.0 videos are not edited: the 400 names the models that are.
  const old = await c.videos.create({ model: 'doubao-seedance-1-0-pro-250528', prompt: 'old kite' });
  await finished(c, old.id);
  await assert.rejects(c.videos.edit({ video: { id: old.id }, prompt: 'blue' }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.match(e.message, /'doubao-seedance-2-0-260128'/);
    return true;
  });
  assert.equal(edits(), 1);
});

test('wan: edit runs end to end through SDK 7.59 on Wan 2.7 video editing, for a video of any Wan model', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-edit-wan', baseURL: `${gw.url}/v1` });
  const mock = fleet.mocks.wan;
  const source = await c.videos.create({ model: 'wan2.5-t2v-preview', prompt: 'a paper boat', seconds: '8' });
  assert.equal(source.seconds, '10');
  await finished(c, source.id);
  const edited = await c.videos.edit({ video: { id: source.id }, prompt: 'make it night' });
  assert.equal(edited.seconds, '10', 'as long as its source');
  assert.equal(edited.model, 'wan2.5-t2v-preview');
  const asked = mock.requests.filter((r) => r.method === 'POST').at(-1);
  assert.equal(asked.headers['x-dashscope-async'], 'enable');
  const sourceTask = [...mock.tasks.values()].find((t) => t.request.input.prompt === 'a paper boat');
  assert.equal(new URL(asked.body.input.media[0].url).pathname, sourceTask.videoPath);
  assert.deepEqual({ ...asked.body, input: { ...asked.body.input, media: [{ ...asked.body.input.media[0], url: '' }] } }, {
    model: 'wan2.7-videoedit',
    input: { prompt: 'make it night', media: [{ type: 'video', url: '' }] },
    parameters: { duration: 0 },
  });
  const task = [...mock.tasks.values()].find((t) => t.editOf === sourceTask.id);
  assert.equal(task.duration, 10, 'the vendor kept the whole source');
  const done = await finished(c, edited.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.ok((await (await c.videos.downloadContent(edited.id)).arrayBuffer()).byteLength > 0);
});

test('an extension with an Idempotency-Key is made once: a repeat answers the same Video, another body with the key is a 422', async () => {
  const mock = fleet.mocks.vidu;
  const c = new OpenAI({ apiKey: 'sk-api-extend-idem', baseURL: `${gw.url}/v1` });
  const source = await c.videos.create({ model: 'viduq2-turbo', prompt: 'idempotent road', seconds: '5' });
  await finished(c, source.id);
  const sourceTask = [...mock.tasks.values()].find((t) => t.request.prompt === 'idempotent road');
  const extensions = () => [...mock.tasks.values()].filter((t) => t.extends === sourceTask.id).length;
  const headers = { 'Idempotency-Key': 'extend-once-1' };
  const a = await c.videos.extend({ video: { id: source.id }, prompt: 'on and on', seconds: '4' }, { headers });
  const b = await c.videos.extend({ video: { id: source.id }, prompt: 'on and on', seconds: '4' }, { headers });
  assert.equal(b.id, a.id);
  assert.equal(extensions(), 1);
  await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: 'elsewhere', seconds: '4' }, { headers }),
    (e) => e.status === 422);
  assert.equal(extensions(), 1);
});

test('kling: edit runs end to end through SDK 7.59 on the omni model, the source given by its result URL', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-edit-kling', baseURL: `${gw.url}/v1` });
  const mock = fleet.mocks.kling;
  const source = await c.videos.create({ model: 'kling-v2-6', prompt: 'a lighthouse', seconds: '10' });
  await finished(c, source.id);
  const edited = await c.videos.edit({ video: { id: source.id }, prompt: 'add a storm' });
  assert.equal(edited.seconds, '10', 'as long as its source');
  const asked = mock.requests.filter((r) => r.method === 'POST' && r.path === '/v1/videos/omni-video').at(-1);
  const sourceTask = [...mock.tasks.values()].find((t) => t.request.prompt === 'a lighthouse');
  assert.equal(new URL(asked.body.video_list[0].video_url).pathname, sourceTask.videoPath);
  assert.deepEqual({ ...asked.body, video_list: [{ ...asked.body.video_list[0], video_url: '' }] }, {
    model_name: 'kling-video-o1', prompt: 'add a storm', video_list: [{ video_url: '', refer_type: 'base' }],
  });
  const task = [...mock.tasks.values()].find((t) => t.editOf === sourceTask.id);
  assert.ok(task, 'one omni task edits the source');
  const done = await finished(c, edited.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.ok(mock.requests.some((r) => r.method === 'GET' && r.path === `/v1/videos/omni-video/${task.id}`), 'polled as an omni task');
  assert.ok((await (await c.videos.downloadContent(edited.id)).arrayBuffer()).byteLength > 0);
});

test('an edit reply spoilt after Seedance made the task costs exactly one task under the SDK\'s retries', async () => {
  const mock = fleet.mocks.seedance;
  const c = new OpenAI({ apiKey: 'sk-api-edit-money', baseURL: `${gw.url}/v1` });
  const source = await c.videos.create({ model: 'doubao-seedance-2-0-260128', prompt: 'edit money', seconds: '5' });
  await finished(c, source.id);
  const edits = () => [...mock.tasks.values()].filter((t) => t.referenceVideos?.length && t.request.content[0].text.startsWith('money ')).length;
  for (const spoil of [{ status: 502 }, 'garbage', 'reset']) {
    const before = edits();
    mock.failNext({ on: 'create', afterCreate: spoil });
    await assert.rejects(c.videos.edit({ video: { id: source.id }, prompt: `money ${JSON.stringify(spoil)}` }), (e) => {
      assert.ok(e.status >= 500, `${JSON.stringify(spoil)}: ${e.status}`);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      return true;
    });
    assert.equal(edits(), before + 1, `${JSON.stringify(spoil)}: exactly one edit task`);
  }
});

// Characters where a vendor keeps subjects made from a video: Vidu's
// subjects (for viduq2-pro), the upload sent inline as a data URL. The
// character id is sealed like a video id (bound to the caller, its own
// kind), and getCharacter answers from it alone.
test('vidu: createCharacter and getCharacter run end to end through SDK 7.59 on Vidu subjects', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-character', baseURL: `${gw.url}/v1` });
  const mock = fleet.mocks.vidu;
  const subjects = () => mock.subjects.size;
  const before = subjects();
  const bytes = mp4Bytes('hero', 64 * 1024);
  const clip = () => new File([bytes], 'hero.mp4', { type: 'video/mp4' });
  const made = await c.videos.createCharacter({ name: 'Hero of the hour', video: clip() });
  assert.match(made.id, /^char_/);
  assert.equal(made.name, 'Hero of the hour');
  assert.ok(Math.abs(made.created_at - Date.now() / 1000) < 60);
  assert.deepEqual(Object.keys(made).sort(), ['created_at', 'id', 'name']);
  assert.equal(subjects(), before + 1, 'one subject at Vidu');
  const asked = mock.requests.filter((r) => r.method === 'POST' && r.path === '/ent/v2/subjects').at(-1);
  assert.deepEqual(asked.body, { name: 'Hero of the hour', videos: [`data:video/mp4;base64,${bytes.toString('base64')}`] });
  assert.equal(asked.headers.authorization, `Token ${mock.apiKey}`);
  assert.deepEqual(await c.videos.getCharacter(made.id), made);

  // Another caller's key opens nothing, and a character is no video (nor
  // a video a character).
  const other = new OpenAI({ apiKey: 'sk-api-character-other', baseURL: `${gw.url}/v1` });
  await assert.rejects(other.videos.getCharacter(made.id), (e) => e.status === 404 && e.code === 'character_not_found');
  await assert.rejects(c.videos.retrieve(made.id), (e) => e.status === 404);
  await assert.rejects(c.videos.getCharacter(made.id.replace(/^char_/, 'video_')), (e) => e.status === 404);

  // Refused before any vendor call: a model whose vendor keeps no
  // subjects (the gateway's `model` addition), a file that is not a video,
  // one over Vidu's 20 MB, a missing or overlong name.
  const calls = mock.requests.length;
  await assert.rejects(c.videos.createCharacter({ name: 'x', video: clip(), model: 'kling-v2-6' }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.match(e.message, /'viduq2-pro'/);
    return true;
  });
  const big = Buffer.concat([bytes, Buffer.alloc(20 * 1000 * 1000 - bytes.length + 1)]);
  await assert.rejects(c.videos.createCharacter({ name: 'x', video: new File([big], 'big.mp4') }),
    (e) => e.status === 400 && e.code === 'video_too_large' && /20000000 bytes/.test(e.message));
  await assert.rejects(c.videos.createCharacter({ name: 'x'.repeat(81), video: clip() }),
    (e) => e.status === 400 && e.param === 'name');
  await assert.rejects(c.videos.createCharacter({ name: '', video: clip() }),
    (e) => e.status === 400 && e.code === 'missing_required_parameter' && e.param === 'name');
  await assert.rejects(c.videos.createCharacter({ name: 'x', video: clip(), seconds: '4' }),
    (e) => e.status === 400 && e.code === 'unknown_parameter' && e.param === 'seconds');
  assert.equal(mock.requests.length, calls, 'no vendor call');
  assert.equal(subjects(), before + 1);
});

test('a character reply spoilt after Vidu made the subject costs exactly one subject under the SDK\'s retries', async () => {
  const mock = fleet.mocks.vidu;
  const c = new OpenAI({ apiKey: 'sk-api-character-money', baseURL: `${gw.url}/v1` });
  const clip = () => new File([mp4Bytes('money', 16 * 1024)], 'money.mp4');
  for (const spoil of [{ status: 502 }, 'garbage', 'reset']) {
    const before = mock.subjects.size;
    mock.failNext({ afterCreate: spoil });
    await assert.rejects(c.videos.createCharacter({ name: `money ${JSON.stringify(spoil)}`, video: clip() }), (e) => {
      assert.ok(e.status >= 500, `${JSON.stringify(spoil)}: ${e.status}`);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      return true;
    });
    assert.equal(mock.subjects.size, before + 1, `${JSON.stringify(spoil)}: exactly one subject`);
  }
});

// An uploaded video instead of one made through the gateway, where a
// vendor takes the bytes: Veo 3.1 on Vertex AI extends an MP4 sent inline.
// OpenAI's extend names no model, so the client adds one; the upload's
// length comes from its MP4 header.
test('veo-vertex: extend takes an uploaded MP4 through SDK 7.59, sent to Vertex as bytes', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-extend-upload', baseURL: `${gw.url}/v1` });
  const mock = fleet.mocks['veo-vertex'];
  const clip = mp4WithDuration(8);
  const file = (bytes = clip, name = 'road.mp4') => new File([bytes], name, { type: 'video/mp4' });
  const before = mock.tasks.size;
  const extended = await c.videos.extend({ video: file(), prompt: 'further down the road', seconds: '4', model: 'vertex-veo-3.1' });
  assert.equal(mock.tasks.size, before + 1, 'one extension task');
  assert.equal(extended.model, 'vertex-veo-3.1');
  assert.equal(extended.prompt, 'further down the road');
  assert.equal(extended.seconds, '15', 'the upload (8 s) and the extension (7 s)');
  const asked = mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith(':predictLongRunning')).at(-1);
  assert.deepEqual(asked.body.instances[0], {
    prompt: 'further down the road',
    video: { bytesBase64Encoded: clip.toString('base64'), mimeType: 'video/mp4' },
  });
  assert.deepEqual(asked.body.parameters, { aspectRatio: '16:9', sampleCount: 1 });
  assert.equal([...mock.tasks.values()].at(-1).seconds, 15, 'Vertex measured the upload too');
  const done = await finished(c, extended.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.ok((await (await c.videos.downloadContent(extended.id)).arrayBuffer()).byteLength > 0);
  assert.deepEqual((await c.videos.list()).data.map((v) => v.id), [extended.id]);

  // Refused before any vendor task: no model among several that can, a
  // model whose vendor extends only its own videos, a type Vertex does not
  // take, an MP4 that declares no length, an edit (no vendor edits uploads).
  const calls = mock.requests.length;
  const refused = (params, check) => assert.rejects(c.videos.extend({ prompt: 'x', seconds: '4', ...params }), (e) => {
    assert.equal(e.status, 400, e.message);
    check(e);
    return true;
  });
  await refused({ video: file() }, (e) => {
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.match(e.message, /'vertex-veo-3\.1'/);
  });
  await refused({ video: file(), model: 'kling-v1-6' }, (e) => {
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.equal(e.param, 'model');
  });
  await refused({ video: file(Buffer.from('1a45dfa30000000000000000', 'hex'), 'clip.webm'), model: 'vertex-veo-3.1' },
    (e) => assert.equal(e.code, 'unsupported_video_type'));
  await refused({ video: file(mp4Bytes('no-moov', 4096)), model: 'vertex-veo-3.1' },
    (e) => assert.equal(e.code, 'invalid_video'));
  await assert.rejects(c.videos.edit({ video: file(), prompt: 'brighter' }),
    (e) => e.status === 400 && e.code === 'unsupported_by_vendor' && /No configured vendor takes them/.test(e.message));
  assert.equal(mock.requests.length, calls, 'no vendor call');
});

test('edit across vendors: a Wan video edited at Kling and at Seedance by the URL Wan serves it at; a target that cannot take it refuses before any task', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-edit-foreign', baseURL: `${gw.url}/v1` });
  const { wan, kling, seedance } = fleet.mocks;
  const source = await c.videos.create({ model: 'wan2.5-t2v-preview', prompt: 'a red kite', seconds: '5' });
  await finished(c, source.id);
  const sourceTask = [...wan.tasks.values()].find((t) => t.request.input.prompt === 'a red kite');

  const atKling = await c.videos.edit({ video: { id: source.id }, prompt: 'make it snow', model: 'kling-v2-6' });
  assert.equal(atKling.model, 'kling-v2-6');
  assert.equal(atKling.seconds, source.seconds, 'as long as its source');
  const omni = kling.requests.filter((r) => r.method === 'POST' && r.path === '/v1/videos/omni-video').at(-1);
  const handedOn = omni.body.video_list[0].video_url;
  assert.equal(new URL(handedOn).pathname, sourceTask.videoPath, "the file where Wan's CDN serves it");
  assert.deepEqual({ ...omni.body, video_list: [{ ...omni.body.video_list[0], video_url: '' }] }, {
    model_name: 'kling-video-o1', prompt: 'make it snow', video_list: [{ video_url: '', refer_type: 'base' }],
  });
  assert.ok([...kling.tasks.values()].find((t) => t.editOf === handedOn), 'Kling downloaded it and made one task');
  const done = await finished(c, atKling.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal(done.model, 'kling-v2-6');
  assert.ok((await (await c.videos.downloadContent(atKling.id)).arrayBuffer()).byteLength > 0);

  const atSeedance = await c.videos.edit({ video: { id: source.id }, prompt: 'in watercolour', model: 'doubao-seedance-2-0-260128' });
  assert.equal(atSeedance.model, 'doubao-seedance-2-0-260128');
  const ark = seedance.requests.filter((r) => r.method === 'POST').at(-1);
  assert.equal(new URL(ark.body.content[1].video_url.url).pathname, sourceTask.videoPath);
  assert.equal(ark.body.content[1].role, 'reference_video');
  assert.equal((await finished(c, atSeedance.id)).status, 'completed');

  // Refused before any task at the target: Kling extends only its own
  // videos; Veo on the Gemini API serves its files only with its key, which
  // no other vendor gets.
  const vertex = fleet.mocks['veo-vertex'];
  const targetCalls = () => kling.requests.length + vertex.requests.length + seedance.requests.length;
  const calls = targetCalls();
  await assert.rejects(c.videos.extend({ video: { id: source.id }, prompt: 'x', seconds: '5', model: 'kling-v1-6' }), (e) => {
    assert.equal(e.status, 400, e.message);
    assert.equal(e.param, 'model');
    assert.match(e.message, /another vendor made/);
    return true;
  });
  assert.equal(targetCalls(), calls, 'no call to a target vendor');
  const veo = await c.videos.create({ model: 'veo-3', prompt: 'a quiet harbour', seconds: '8' });
  await finished(c, veo.id);
  await assert.rejects(c.videos.edit({ video: { id: veo.id }, prompt: 'x', model: 'kling-v2-6' }), (e) => {
    assert.equal(e.status, 400, e.message);
    assert.match(e.message, /only with its own credentials/);
    return true;
  });
  assert.equal(targetCalls(), calls, 'no call to a target vendor');
});

test('extend across vendors: a Vidu video extended at Vertex AI, which takes bytes only: the gateway downloads the file Vidu serves and sends its bytes', async () => {
  const c = new OpenAI({ apiKey: 'sk-api-extend-foreign', baseURL: `${gw.url}/v1` });
  const { vidu } = fleet.mocks;
  const vertex = fleet.mocks['veo-vertex'];
  const source = await c.videos.create({ model: 'viduq2-turbo', prompt: 'a long bridge', seconds: '5' });
  assert.equal(source.seconds, '5');
  await finished(c, source.id);
  const sourceTask = [...vidu.tasks.values()].find((t) => t.request.prompt === 'a long bridge');
  const before = vertex.tasks.size;
  const extended = await c.videos.extend({ video: { id: source.id }, prompt: 'and across the river', seconds: '4', model: 'vertex-veo-3.1' });
  assert.equal(vertex.tasks.size, before + 1, 'one extension task');
  assert.equal(extended.model, 'vertex-veo-3.1');
  assert.equal(extended.seconds, '12', "Vidu's 5 s and Vertex's 7 s");
  const asked = vertex.requests.filter((r) => r.method === 'POST' && r.path.endsWith(':predictLongRunning')).at(-1);
  assert.deepEqual(asked.body.instances[0], {
    prompt: 'and across the river',
    video: { bytesBase64Encoded: vidu.videoBytes(sourceTask.id).toString('base64'), mimeType: 'video/mp4' },
  });
  assert.equal([...vertex.tasks.values()].at(-1).seconds, 12, 'Vertex read the length from the file');
  const done = await finished(c, extended.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.ok((await (await c.videos.downloadContent(extended.id)).arrayBuffer()).byteLength > 0);

  // Vertex returns its file inline, and Kling takes a URL: nothing to hand on.
  const klingCalls = fleet.mocks.kling.requests.length;
  await assert.rejects(c.videos.edit({ video: { id: extended.id }, prompt: 'x', model: 'kling-v2-6' }), (e) => {
    assert.equal(e.status, 400, e.message);
    assert.equal(e.code, 'unsupported_by_vendor');
    assert.match(e.message, /returns the file inline/);
    return true;
  });
  assert.equal(fleet.mocks.kling.requests.length, klingCalls, 'no call to Kling');
});
