// Vidu (api.vidu.cn / api.vidu.com, /ent/v2) mock: `Authorization: Token`,
// one create endpoint per image count, strict fields, Kratos-style errors
// ({code, reason, message, metadata}: the reason is the documented error
// code), tasks with creations[{url, cover_url}] valid for an hour, and
// subjects (POST /ent/v2/subjects, GET /ent/v2/subjects?subject_ids=...)
// made from images or one video, answered at once.

import { randomInt } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

const MODELS = ['viduq1', 'viduq1-classic', 'viduq2', 'viduq2-pro', 'viduq2-turbo', 'viduq3-pro', 'vidu2.0', 'vidu1.5'];
const RESOLUTIONS = ['360p', '540p', '720p', '1080p'];
const COMMON = ['model', 'prompt', 'duration', 'seed', 'resolution', 'movement_amplitude', 'bgm', 'payload',
  'callback_url', 'off_peak', 'watermark', 'wm_position', 'wm_url', 'meta_data'];
const FIELDS = {
  text2video: new Set([...COMMON, 'style', 'aspect_ratio']),
  img2video: new Set([...COMMON, 'images', 'audio', 'voice_id', 'is_rec']),
  'start-end2video': new Set([...COMMON, 'images', 'is_rec']),
  reference2video: new Set([...COMMON, 'images', 'aspect_ratio', 'subjects', 'audio']),
};
// Extension: a q2 model continues a video (a creation of this account, or
// any URL) of 4 s to 1 min by 1-7 s, with at most one end-frame image.
const EXTEND_MODELS = ['viduq2-pro', 'viduq2-turbo'];
const EXTEND_FIELDS = new Set(['model', 'video_creation_id', 'video_url', 'images', 'prompt', 'duration', 'resolution', 'payload', 'callback_url']);
const IMAGE_COUNT = { text2video: [0, 0], img2video: [1, 1], 'start-end2video': [2, 2], reference2video: [1, 7] };

const error = (status, reason, message) => new VendorError(status, { code: status, reason, message, metadata: {} });

function checkImage(value) {
  if (typeof value !== 'string' || value === '') return 'images must be strings';
  if (/^https?:\/\//.test(value)) return URL.canParse(value) ? null : 'image url is invalid';
  const m = /^data:(image\/(?:png|jpeg|jpg|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) return 'base64 images must be data URLs: data:image/png;base64,...';
  return sniffImage(Buffer.from(m[2], 'base64')) ? null : 'image data is not a JPG/PNG/WEBP image';
}

function validate(action, body) {
  if (!isPlainObject(body)) throw error(400, 'BadRequest', 'bad request');
  for (const key of Object.keys(body)) {
    if (!FIELDS[action].has(key)) throw error(400, 'FieldUnwanted', `unwanted field: ${key}`);
  }
  if (!MODELS.includes(body.model)) throw error(400, 'FieldInvalid', 'invalid field: model');
  if (action === 'text2video' && (typeof body.prompt !== 'string' || body.prompt === '')) {
    throw error(400, 'FieldLacking', 'field is missing or empty: prompt');
  }
  if (body.prompt !== undefined && (typeof body.prompt !== 'string' || body.prompt.length > 2000)) {
    throw error(400, 'FieldInvalid', 'invalid field: prompt');
  }
  const [min, max] = IMAGE_COUNT[action];
  const images = body.images ?? [];
  if (!Array.isArray(images) || images.length < min || images.length > max) {
    throw error(400, 'FieldItemCountOutOfRange', 'field item count out of range: images');
  }
  for (const image of images) {
    const problem = checkImage(image);
    if (problem) throw error(400, 'ImageFormatInvalid', problem);
  }
  if (body.duration !== undefined && !(Number.isInteger(body.duration) && body.duration >= 1 && body.duration <= 16)) {
    throw error(400, 'FieldInvalid', 'invalid field: duration');
  }
  if (body.resolution !== undefined && !RESOLUTIONS.includes(body.resolution)) {
    throw error(400, 'FieldInvalid', 'invalid field: resolution');
  }
  if (body.aspect_ratio !== undefined && !['16:9', '9:16', '1:1', '4:3', '3:4'].includes(body.aspect_ratio)) {
    throw error(400, 'FieldInvalid', 'invalid field: aspect_ratio');
  }
  if (body.seed !== undefined && !(Number.isInteger(body.seed) && body.seed >= 0 && body.seed <= 2147483647)) {
    throw error(400, 'FieldInvalid', 'invalid field: seed');
  }
  if (body.bgm !== undefined && typeof body.bgm !== 'boolean') throw error(400, 'FieldInvalid', 'invalid field: bgm');
  if (body.movement_amplitude !== undefined && !['auto', 'small', 'medium', 'large'].includes(body.movement_amplitude)) {
    throw error(400, 'FieldInvalid', 'invalid field: movement_amplitude');
  }
}

function validateExtend(body) {
  if (!isPlainObject(body)) throw error(400, 'BadRequest', 'bad request');
  for (const key of Object.keys(body)) {
    if (!EXTEND_FIELDS.has(key)) throw error(400, 'FieldUnwanted', `unwanted field: ${key}`);
  }
  if (!EXTEND_MODELS.includes(body.model)) throw error(400, 'FieldInvalid', 'invalid field: model');
  if ((body.video_creation_id === undefined) === (body.video_url === undefined)) {
    throw error(400, 'FieldLacking', 'one of video_creation_id and video_url is required');
  }
  if (body.prompt !== undefined && (typeof body.prompt !== 'string' || body.prompt.length > 2000)) {
    throw error(400, 'FieldInvalid', 'invalid field: prompt');
  }
  if (body.duration !== undefined && !(Number.isInteger(body.duration) && body.duration >= 1 && body.duration <= 7)) {
    throw error(400, 'FieldInvalid', 'invalid field: duration');
  }
  if (body.resolution !== undefined && !['540p', '720p', '1080p'].includes(body.resolution)) {
    throw error(400, 'FieldInvalid', 'invalid field: resolution');
  }
  const images = body.images ?? [];
  if (!Array.isArray(images) || images.length > 1) throw error(400, 'FieldItemCountOutOfRange', 'field item count out of range: images');
  for (const image of images) {
    const problem = checkImage(image);
    if (problem) throw error(400, 'ImageFormatInvalid', problem);
  }
}

// A subject: a name, up to 3 images and at most one video (mp4/avi/mov of
// up to 5 s, a URL or a data URL that decodes to under 20 MB). Vidu's page
// says "at least 1 image" but marks images optional and shows video-only
// subjects; the mock asks for one image or one video.
const SUBJECT_FIELDS = new Set(['name', 'images', 'videos', 'voice_id']);
const MAX_SUBJECT_VIDEO_BYTES = 20 * 1000 * 1000;

function checkSubjectVideo(value) {
  if (typeof value !== 'string' || value === '') return 'videos must be strings';
  if (/^https?:\/\//.test(value)) return URL.canParse(value) ? null : 'video url is invalid';
  const m = /^data:(video\/(?:mp4|quicktime|x-msvideo|avi));base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) return 'base64 videos must be data URLs: data:video/mp4;base64,...';
  const bytes = Buffer.from(m[2], 'base64');
  if (bytes.length >= MAX_SUBJECT_VIDEO_BYTES) return 'the video must be under 20M once decoded';
  const mp4 = bytes.subarray(4, 8).toString('latin1') === 'ftyp';
  const avi = bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'AVI ';
  return mp4 || avi ? null : 'video data is not an mp4, mov or avi video';
}

function validateSubject(body) {
  if (!isPlainObject(body)) throw error(400, 'BadRequest', 'bad request');
  for (const key of Object.keys(body)) {
    if (!SUBJECT_FIELDS.has(key)) throw error(400, 'FieldUnwanted', `unwanted field: ${key}`);
  }
  if (typeof body.name !== 'string' || body.name.trim() === '') throw error(400, 'FieldLacking', 'field is missing or empty: name');
  const images = body.images ?? [];
  const videos = body.videos ?? [];
  if (!Array.isArray(images) || images.length > 3) throw error(400, 'FieldItemCountOutOfRange', 'field item count out of range: images');
  if (!Array.isArray(videos) || videos.length > 1) throw error(400, 'FieldItemCountOutOfRange', 'field item count out of range: videos');
  if (images.length + videos.length === 0) throw error(400, 'FieldLacking', 'field is missing or empty: images');
  for (const image of images) {
    const problem = checkImage(image);
    if (problem) throw error(400, 'ImageFormatInvalid', problem);
  }
  for (const video of videos) {
    const problem = checkSubjectVideo(video);
    if (problem) throw error(400, 'VideoFormatInvalid', problem);
  }
  if (body.voice_id !== undefined && typeof body.voice_id !== 'string') throw error(400, 'FieldInvalid', 'invalid field: voice_id');
}

const STATE = { queued: 'queueing', running: 'processing', succeeded: 'success', failed: 'failed' };

function taskView(task, vendor) {
  const state = STATE[vendor.stateOf(task)];
  const view = { id: task.id, state, err_code: state === 'failed' ? 'CreationPolicyViolation' : '', credits: 4, payload: task.request.payload ?? '', creations: [] };
  if (state === 'success') {
    view.creations = [{ id: `c${task.id}`, url: vendor.videoUrl(task), cover_url: vendor.coverUrl(task) }];
  }
  return view;
}

export async function startViduMock({ apiKey = 'vidu-test-key', ...options } = {}) {
  const subjects = new Map();
  const mock = await startTaskVendor(
    {
      name: 'vidu',
      routeKinds: ['create', 'query'],
      route(method, url) {
        const create = /^\/ent\/v2\/(text2video|img2video|start-end2video|reference2video|extend)$/.exec(url.pathname);
        if (create && method === 'POST') return { kind: 'create', action: create[1] };
        const query = /^\/ent\/v2\/tasks\/([^/]+)\/creations$/.exec(url.pathname);
        if (query && method === 'GET') return { kind: 'query', taskId: query[1] };
        // Making a subject is a create as far as faults go: it is billed.
        if (url.pathname === '/ent/v2/subjects' && method === 'POST') return { kind: 'create', action: 'subjects' };
        if (url.pathname === '/ent/v2/subjects' && method === 'GET') return { kind: 'query', action: 'subjects' };
        return { kind: 'other' };
      },
      authenticate(req) {
        if (req.headers.authorization !== `Token ${apiKey}`) return error(401, 'Unauthorized', 'unauthorized');
        return null;
      },
      notFound: () => error(404, 'NotFound', 'not found'),
      // Vidu posts the same task view it answers to a query.
      callbackPayload: (task, vendor) => taskView(task, vendor),
      faultBody: (status) =>
        status === 429
          ? { code: 429, reason: 'TooManyRequests', message: 'too many requests', metadata: {} }
          : { code: status, reason: status >= 500 ? 'InternalServiceFailure' : 'BadRequest', message: `mock fault: HTTP ${status}`, metadata: {} },
      handle({ req, url, body, route, vendor }) {
        if (route.action === 'subjects' && route.kind === 'query') {
          const ids = url.searchParams.getAll('subject_ids');
          const list = [...subjects.values()].filter((x) => ids.length === 0 || ids.includes(x.id));
          return [200, { subjects: list, next_page_token: '', count: list.length }];
        }
        if (route.kind === 'query') {
          const task = vendor.tasks.get(route.taskId);
          if (!task) throw error(404, 'TaskNotFound', 'task not found');
          return [200, taskView(task, vendor)];
        }
        if (mediaType(req.headers['content-type']) !== 'application/json') throw error(400, 'BadRequest', 'bad request');
        if (route.action === 'subjects') {
          validateSubject(body);
          const id = String(randomInt(1e9, 1e10)) + String(randomInt(1e8, 1e9));
          // Inline media is stored; the subject names it by URL.
          const stored = (list, kind) => list.map((v, i) => (v.startsWith('data:') ? `https://vidu-subjects.mock.invalid/${id}/${kind}_${i}` : v));
          const subject = { id, name: body.name, images: stored(body.images ?? [], 'image'), videos: stored(body.videos ?? [], 'video'), voice_id: body.voice_id ?? '' };
          subjects.set(id, subject);
          return [200, { ...subject, style: '', description: '' }];
        }
        let seconds = body.duration ?? 5;
        let extendsTask = null;
        if (route.action === 'extend') {
          validateExtend(body);
          if (body.video_creation_id !== undefined) {
            const source = [...vendor.tasks.values()].find((t) => `c${t.id}` === body.video_creation_id);
            if (!source || vendor.stateOf(source) !== 'succeeded') throw error(400, 'FieldInvalid', 'invalid field: video_creation_id');
            if (source.seconds < 4 || source.seconds > 60) throw error(400, 'VideoDurationInvalid', 'the video must last 4 s to 1 min');
            seconds += source.seconds;
            extendsTask = source.id;
          }
        } else {
          validate(route.action, body);
        }
        const id = String(randomInt(1e9, 1e10)) + String(randomInt(1e8, 1e9));
        const task = vendor.createTask({ id, prompt: body.prompt, request: body, extra: { action: route.action, seconds, extends: extendsTask } });
        return [200, {
          task_id: task.id, state: 'created', model: body.model, prompt: body.prompt ?? '', images: body.images ?? [],
          duration: body.duration ?? 5, seed: body.seed ?? randomInt(1, 1e6), resolution: body.resolution ?? '720p',
          movement_amplitude: body.movement_amplitude ?? 'auto', payload: body.payload ?? '',
          created_at: new Date(task.createdAt).toISOString(), credits: 4,
        }];
      },
    },
    options,
  );
  return { ...mock, apiKey, subjects };
}
