// Alibaba Wan (DashScope, dashscope.aliyuncs.com / dashscope-intl.aliyuncs.com)
// video mock: `Authorization: Bearer`, asynchronous calls only
// (`X-DashScope-Async: enable`), {model, input, parameters} bodies checked per
// model, flat {code, message, request_id} errors, tasks polled at
// /api/v1/tasks/{task_id} with PENDING/RUNNING/SUCCEEDED/FAILED/CANCELED/UNKNOWN.
//
// Routes:
//   POST /api/v1/services/aigc/video-generation/video-synthesis   t2v and i2v models
//   POST /api/v1/services/aigc/image2video/video-synthesis        kf2v (first/last frame) models
//   GET  /api/v1/tasks/{task_id}                                  poll (unknown id: 200, UNKNOWN)
//   POST /api/v1/tasks/{task_id}/cancel                           PENDING tasks only
// [mock:fail] ends the task FAILED with code DataInspectionFailed.

import { randomUUID } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

const SIZES = {
  '480P': ['832*480', '480*832', '624*624'],
  '720P': ['1280*720', '720*1280', '960*960', '1088*832', '832*1088'],
  '1080P': ['1920*1080', '1080*1920', '1440*1440', '1632*1248', '1248*1632'],
};
const ALL = ['480P', '720P', '1080P'];

// kind: t2v (size), i2v (img_url + resolution), kf2v (first/last frame + resolution).
const MODELS = {
  'wan2.5-t2v-preview': { kind: 't2v', tiers: ALL, durations: [5, 10], audio: true, promptMax: 2000, size: '1920*1080' },
  'wan2.2-t2v-plus': { kind: 't2v', tiers: ['480P', '1080P'], durations: [5], promptMax: 800, size: '1920*1080' },
  'wanx2.1-t2v-turbo': { kind: 't2v', tiers: ['480P', '720P'], durations: [5], promptMax: 800, size: '1280*720' },
  'wanx2.1-t2v-plus': { kind: 't2v', tiers: ['720P'], durations: [5], promptMax: 800, size: '1280*720' },
  'wan2.5-i2v-preview': { kind: 'i2v', tiers: ALL, durations: [5, 10], audio: true, promptMax: 2000, resolution: '1080P' },
  'wan2.2-i2v-plus': { kind: 'i2v', tiers: ['480P', '1080P'], durations: [5], promptMax: 800, resolution: '1080P' },
  'wan2.2-i2v-flash': { kind: 'i2v', tiers: ALL, durations: [5], promptMax: 800, resolution: '720P' },
  'wanx2.1-i2v-turbo': { kind: 'i2v', tiers: ['480P', '720P'], durations: [3, 4, 5], promptMax: 800, resolution: '720P' },
  'wanx2.1-i2v-plus': { kind: 'i2v', tiers: ['720P'], durations: [5], promptMax: 800, resolution: '720P' },
  'wanx2.1-kf2v-plus': { kind: 'kf2v', tiers: ['720P'], durations: [5], promptMax: 800, resolution: '720P' },
  'wan2.2-kf2v-flash': { kind: 'kf2v', tiers: ALL, durations: [5], promptMax: 800, resolution: '720P' },
  // Video editing: one video (2-10 s, by URL) remade by the prompt; a
  // duration of 0 keeps the source's whole length.
  'wan2.7-videoedit': { kind: 'videoedit', tiers: ['720P', '1080P'], durations: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10], promptMax: 5000, resolution: '1080P' },
};
const ENDPOINT_KINDS = { 'video-generation': ['t2v', 'i2v', 'videoedit'], image2video: ['kf2v'] };

const INPUT_KEYS = {
  t2v: ['prompt', 'negative_prompt'],
  i2v: ['prompt', 'negative_prompt', 'img_url'],
  kf2v: ['prompt', 'negative_prompt', 'first_frame_url', 'last_frame_url'],
  videoedit: ['prompt', 'negative_prompt', 'media'],
};
const PARAMETER_KEYS = {
  t2v: ['size', 'duration', 'prompt_extend', 'watermark', 'seed'],
  i2v: ['resolution', 'duration', 'prompt_extend', 'watermark', 'seed'],
  kf2v: ['resolution', 'duration', 'prompt_extend', 'watermark', 'seed'],
  videoedit: ['resolution', 'ratio', 'duration', 'audio_setting', 'prompt_extend', 'watermark', 'seed'],
};

const STATUS = { queued: 'PENDING', running: 'RUNNING', succeeded: 'SUCCEEDED', failed: 'FAILED' };
const FAILURE = { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' };

const error = (status, code, message) => new VendorError(status, { code, message, request_id: randomUUID() });
const invalid = (message) => error(400, 'InvalidParameter', message);

// DashScope reports times in China Standard Time: "2025-01-01 12:00:00.123".
const cst = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().replace('T', ' ').replace('Z', '');

function checkImageUrl(field, value) {
  if (typeof value !== 'string' || value === '') throw invalid(`Field required: input.${field}`);
  if (/^https?:\/\//i.test(value)) {
    if (!URL.canParse(value)) throw invalid(`The provided URL in input.${field} is invalid.`);
    return;
  }
  const m = /^data:(image\/(?:png|jpeg|jpg|webp|bmp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) throw invalid(`input.${field} must be an http(s) URL or a data URL: data:image/png;base64,...`);
  if (!sniffImage(Buffer.from(m[2], 'base64'))) throw invalid(`The image format of input.${field} is illegal.`);
}

function checkKeys(object, allowed, where) {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw invalid(`Unrecognized field "${key}" in ${where}.`);
  }
}

function validate(endpoint, body) {
  if (!isPlainObject(body)) throw invalid('The request body is not valid JSON.');
  checkKeys(body, ['model', 'input', 'parameters'], 'the request body');
  if (typeof body.model !== 'string' || body.model === '') throw invalid('Field required: model');
  const model = Object.hasOwn(MODELS, body.model) ? MODELS[body.model] : null;
  if (!model || !ENDPOINT_KINDS[endpoint].includes(model.kind)) throw invalid('Model not exist.');
  if (!isPlainObject(body.input)) throw invalid('Field required: input');
  const input = body.input;
  checkKeys(input, model.audio ? [...INPUT_KEYS[model.kind], 'audio_url'] : INPUT_KEYS[model.kind], 'input');
  if (model.kind === 'videoedit') {
    const media = input.media;
    if (!Array.isArray(media) || media.length === 0) throw invalid('Field required: input.media');
    for (const [i, item] of media.entries()) {
      if (!isPlainObject(item)) throw invalid(`input.media[${i}] must be an object.`);
      checkKeys(item, ['type', 'url'], `input.media[${i}]`);
      if (!['video', 'reference_image'].includes(item.type)) throw invalid(`input.media[${i}].type must be video or reference_image.`);
      if (typeof item.url !== 'string' || !/^https?:\/\//.test(item.url) || !URL.canParse(item.url)) {
        throw invalid(`input.media[${i}].url must be a public http(s) URL.`);
      }
    }
    if (media.filter((m) => m.type === 'video').length !== 1) throw invalid('input.media must hold exactly one video.');
    if (media.filter((m) => m.type === 'reference_image').length > 4) throw invalid('input.media holds at most 4 reference images.');
    if (typeof input.prompt !== 'string' || input.prompt === '') throw invalid('Field required: input.prompt');
  }
  if (model.kind === 't2v' && (typeof input.prompt !== 'string' || input.prompt === '')) {
    throw invalid('Field required: input.prompt');
  }
  if (input.prompt !== undefined && (typeof input.prompt !== 'string' || input.prompt.length > model.promptMax)) {
    throw invalid(`input.prompt must be a string of at most ${model.promptMax} characters.`);
  }
  if (input.negative_prompt !== undefined && (typeof input.negative_prompt !== 'string' || input.negative_prompt.length > 500)) {
    throw invalid('input.negative_prompt must be a string of at most 500 characters.');
  }
  if (model.kind === 'i2v') checkImageUrl('img_url', input.img_url);
  if (model.kind === 'kf2v') {
    checkImageUrl('first_frame_url', input.first_frame_url);
    if (input.last_frame_url !== undefined) checkImageUrl('last_frame_url', input.last_frame_url);
  }
  if (input.audio_url !== undefined && (typeof input.audio_url !== 'string' || !/^https?:\/\//.test(input.audio_url))) {
    throw invalid('input.audio_url must be an http(s) URL.');
  }

  const parameters = body.parameters ?? {};
  if (!isPlainObject(parameters)) throw invalid('parameters must be an object.');
  checkKeys(parameters, model.audio ? [...PARAMETER_KEYS[model.kind], 'audio'] : PARAMETER_KEYS[model.kind], 'parameters');
  if (parameters.size !== undefined) {
    const sizes = model.tiers.flatMap((tier) => SIZES[tier]);
    if (!sizes.includes(parameters.size)) {
      throw invalid(`parameters.size ${JSON.stringify(parameters.size)} is not supported by ${body.model}; use one of ${sizes.join(', ')}.`);
    }
  }
  if (parameters.resolution !== undefined && !model.tiers.includes(parameters.resolution)) {
    throw invalid(`parameters.resolution ${JSON.stringify(parameters.resolution)} is not supported by ${body.model}; use one of ${model.tiers.join(', ')}.`);
  }
  if (parameters.duration !== undefined && !model.durations.includes(parameters.duration)) {
    throw invalid(`parameters.duration must be one of ${model.durations.join(', ')} for ${body.model}.`);
  }
  for (const flag of ['prompt_extend', 'watermark', 'audio']) {
    if (parameters[flag] !== undefined && typeof parameters[flag] !== 'boolean') throw invalid(`parameters.${flag} must be a boolean.`);
  }
  if (parameters.seed !== undefined && !(Number.isInteger(parameters.seed) && parameters.seed >= 0 && parameters.seed <= 2147483647)) {
    throw invalid('parameters.seed must be an integer in [0, 2147483647].');
  }
  return model;
}

export async function startWanMock({ apiKey = 'dashscope-test-key', ...options } = {}) {
  // Effective status: a cancel freezes the task at CANCELED.
  const statusOf = (vendor, task, now = Date.now()) => {
    if (task.canceledAt !== undefined) return 'CANCELED';
    const status = STATUS[vendor.stateOf(task, now)];
    if (status !== 'PENDING') task.scheduledAt ??= now;
    if (status === 'SUCCEEDED' || status === 'FAILED') task.endAt ??= now;
    return status;
  };

  const mock = await startTaskVendor(
    {
      name: 'wan',
      routeKinds: ['create', 'query', 'cancel'],
      route(method, url) {
        const create = /^\/api\/v1\/services\/aigc\/(video-generation|image2video)\/video-synthesis$/.exec(url.pathname);
        if (create && method === 'POST') return { kind: 'create', endpoint: create[1] };
        const query = /^\/api\/v1\/tasks\/([^/]+)$/.exec(url.pathname);
        if (query && method === 'GET') return { kind: 'query', taskId: decodeURIComponent(query[1]) };
        const cancel = /^\/api\/v1\/tasks\/([^/]+)\/cancel$/.exec(url.pathname);
        if (cancel && method === 'POST') return { kind: 'cancel', taskId: decodeURIComponent(cancel[1]) };
        return { kind: 'other' };
      },
      authenticate(req) {
        if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, 'InvalidApiKey', 'Invalid API-key provided.');
        return null;
      },
      notFound: (method, path) => error(404, 'NotFound', `Requested resource ${method} ${path} not found.`),
      faultBody: (status) =>
        status === 429
          ? { code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.', request_id: randomUUID() }
          : status >= 500
            ? { code: 'InternalError', message: `mock fault: HTTP ${status}`, request_id: randomUUID() }
            : { code: 'InvalidParameter', message: `mock fault: HTTP ${status}`, request_id: randomUUID() },
      async handle({ req, body, route, vendor }) {
        const request_id = randomUUID();
        if (route.kind === 'query') {
          const task = vendor.tasks.get(route.taskId);
          if (!task) return [200, { request_id, output: { task_id: route.taskId, task_status: 'UNKNOWN' } }];
          const task_status = statusOf(vendor, task);
          const output = { task_id: task.id, task_status, submit_time: cst(task.createdAt) };
          if (task.scheduledAt !== undefined) output.scheduled_time = cst(task.scheduledAt);
          if (task.endAt !== undefined) output.end_time = cst(task.endAt);
          if (task_status === 'SUCCEEDED') output.video_url = vendor.videoUrl(task);
          if (task.request.input.prompt !== undefined) output.orig_prompt = task.request.input.prompt;
          if (task_status === 'SUCCEEDED' && task.request.parameters?.prompt_extend !== false && task.request.input.prompt) {
            output.actual_prompt = `${task.request.input.prompt} (extended)`;
          }
          if (task_status === 'FAILED') Object.assign(output, FAILURE);
          const reply = { request_id, output };
          if (task_status === 'SUCCEEDED') reply.usage = { video_duration: task.duration, video_ratio: task.ratio, video_count: 1 };
          return [200, reply];
        }
        if (route.kind === 'cancel') {
          const task = vendor.tasks.get(route.taskId);
          if (!task || statusOf(vendor, task) !== 'PENDING') {
            throw error(400, 'UnsupportedOperation', 'Failed to cancel the task, please confirm if the task is in PENDING status.');
          }
          task.canceledAt = Date.now();
          task.endAt = task.canceledAt;
          return [200, { request_id }];
        }
        if (req.headers['x-dashscope-async'] !== 'enable') {
          throw error(403, 'AccessDenied', 'current user api does not support synchronous calls');
        }
        if (mediaType(req.headers['content-type']) !== 'application/json') throw invalid('Content-Type must be application/json.');
        const model = validate(route.endpoint, body);
        const parameters = body.parameters ?? {};
        let duration = parameters.duration ?? 5;
        let editOf = null;
        if (model.kind === 'videoedit') {
          // DashScope downloads the video: it must be there, an MP4 of 2-10 s
          // (this mock knows the lengths of the videos it made).
          const { url } = body.input.media.find((m) => m.type === 'video');
          const reply = await fetch(url).catch(() => null);
          const bytes = reply?.ok ? Buffer.from(await reply.arrayBuffer()) : null;
          if (!bytes || bytes.subarray(4, 8).toString('latin1') !== 'ftyp') {
            throw invalid('Download the media resource timed out or failed: input.media video.');
          }
          const made = [...vendor.tasks.values()].find((t) => new URL(url).pathname === t.videoPath);
          const length = made?.duration ?? 5;
          if (length < 2 || length > 10) throw invalid('The input video must last 2 to 10 seconds.');
          duration = parameters.duration ? Math.min(parameters.duration, length) : length;
          editOf = made?.id ?? url;
        }
        const task = vendor.createTask({
          prompt: body.input.prompt,
          request: body,
          extra: {
            model: body.model,
            duration,
            editOf,
            ratio: model.kind === 't2v' ? (parameters.size ?? model.size) : (parameters.resolution ?? model.resolution),
          },
        });
        return [200, { output: { task_id: task.id, task_status: 'PENDING' }, request_id }];
      },
    },
    options,
  );
  return { ...mock, apiKey };
}
