// MiniMax Hailuo video (api.minimax.io / api.minimaxi.com, /v1) mock:
// `Authorization: Bearer <key>`, one create endpoint, strict per-model fields,
// and MiniMax's envelope: every answer, errors included, is HTTP 200 with
// base_resp {status_code, status_msg} (0 = success). Results take two steps:
// the task query gives a file_id once the status is Success, and
// /v1/files/retrieve turns that file_id into a signed download_url.
//
// Statuses run Preparing -> Queueing -> Processing -> Success | Fail. A
// [mock:fail] task ends with status "Fail" and base_resp 1027 (the generated
// video was flagged) on the query: an answered query about a failed task, not
// a failed request. Only a missing/unknown route answers HTTP 404 (with a
// base_resp 2013 body); injected faults keep their HTTP status.

import { randomInt } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

export const HAILUO_CODES = {
  success: 0,
  unknown: 1000, // injected 5xx faults
  rateLimit: 1002, // injected 429 faults
  authFailed: 1004, // missing or wrong API key
  insufficientBalance: 1008,
  inputSensitive: 1026,
  outputSensitive: 1027, // query of a [mock:fail] task (status "Fail")
  invalidParams: 2013, // bad/unknown field, unknown task_id or file_id
  invalidApiKey: 2049,
};
const AUTH_MESSAGE = "login fail: Please carry the API secret key in the 'Authorization' field of the request header";
const FAILURE_MESSAGE = 'output video contains sensitive content';

// Per model: resolutions (first = default), which first_frame_image rule
// applies, and whether last_frame_image / subject_reference are accepted.
const HAILUO_NEW = ['768P', '1080P'];
const LEGACY = ['720P'];
const MODELS = {
  'MiniMax-Hailuo-2.3': { resolutions: HAILUO_NEW, firstFrame: 'optional' },
  'MiniMax-Hailuo-2.3-Fast': { resolutions: HAILUO_NEW, firstFrame: 'required' },
  'MiniMax-Hailuo-02': { resolutions: ['768P', '512P', '1080P'], firstFrame: 'optional', lastFrame: true },
  'T2V-01-Director': { resolutions: LEGACY, firstFrame: 'forbidden' },
  'T2V-01': { resolutions: LEGACY, firstFrame: 'forbidden' },
  'I2V-01-Director': { resolutions: LEGACY, firstFrame: 'required' },
  'I2V-01-live': { resolutions: LEGACY, firstFrame: 'required' },
  'I2V-01': { resolutions: LEGACY, firstFrame: 'required' },
  'S2V-01': { resolutions: LEGACY, firstFrame: 'forbidden', subject: true },
};
const FIELDS = new Set(['model', 'prompt', 'prompt_optimizer', 'fast_pretreatment', 'duration', 'resolution',
  'first_frame_image', 'last_frame_image', 'subject_reference', 'callback_url', 'aigc_watermark']);
const BOOLEAN_FIELDS = ['prompt_optimizer', 'fast_pretreatment', 'aigc_watermark'];
const DIMENSIONS = { '512P': [912, 512], '720P': [1280, 720], '768P': [1366, 768], '1080P': [1920, 1080] };
const STATUS = { running: 'Processing', succeeded: 'Success', failed: 'Fail' };

const baseResp = (code, msg) => ({ base_resp: { status_code: code, status_msg: msg } });
const OK = () => baseResp(0, 'success');
const error = (code, msg, status = 200) => new VendorError(status, baseResp(code, msg));
const invalid = (detail) => error(HAILUO_CODES.invalidParams, `invalid params, ${detail}`);

// A ready-made fault for failNext: HTTP 200 with a non-zero base_resp, the way
// MiniMax reports rate limits, low balance, flagged prompts and the like.
export function baseRespFault(statusCode, { on = 'any', statusMsg = `mock fault: ${statusCode}` } = {}) {
  return { on, status: 200, body: baseResp(statusCode, statusMsg) };
}

// 15-digit numeric ids like MiniMax's, below 2^53 so they survive JSON numbers.
const numericId = () => `${randomInt(100000, 900000)}${String(randomInt(0, 1e9)).padStart(9, '0')}`;

function checkImage(name, value) {
  if (typeof value !== 'string' || value === '') return `${name} must be a non-empty string`;
  if (/^https?:\/\//.test(value)) return URL.canParse(value) ? null : `${name} is not a valid URL`;
  const m = /^data:image\/(?:jpeg|jpg|png|webp);base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) return `${name} must be a URL or a data URL such as data:image/jpeg;base64,...`;
  const type = sniffImage(Buffer.from(m[1], 'base64'));
  return ['image/jpeg', 'image/png', 'image/webp'].includes(type) ? null : `${name} is not a JPG/PNG/WEBP image`;
}

function checkSubjectReference(value) {
  if (!Array.isArray(value) || value.length !== 1) return 'subject_reference must hold exactly one subject';
  const [subject] = value;
  if (!isPlainObject(subject)) return 'subject_reference items must be objects';
  for (const key of Object.keys(subject)) {
    if (key !== 'type' && key !== 'image') return `unknown field subject_reference[0].${key}`;
  }
  if (subject.type !== 'character') return 'subject_reference[0].type must be "character"';
  if (!Array.isArray(subject.image) || subject.image.length !== 1) return 'subject_reference[0].image must hold one image';
  return checkImage('subject_reference[0].image[0]', subject.image[0]);
}

// Returns the request's effective {resolution, duration}.
function validate(body) {
  if (!isPlainObject(body)) throw invalid('request body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) throw invalid(`unknown field: ${key}`);
  }
  if (body.model === undefined) throw invalid('model is required');
  const model = MODELS[body.model];
  if (!model) throw invalid(`unsupported model: ${body.model}`);

  for (const key of BOOLEAN_FIELDS) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') throw invalid(`${key} must be a boolean`);
  }
  const hasFirst = body.first_frame_image !== undefined;
  if (model.firstFrame === 'required' && !hasFirst) throw invalid(`first_frame_image is required for ${body.model}`);
  if (model.firstFrame === 'forbidden' && hasFirst) throw invalid(`${body.model} does not accept first_frame_image`);
  if (hasFirst) {
    const problem = checkImage('first_frame_image', body.first_frame_image);
    if (problem) throw invalid(problem);
  }
  if (body.last_frame_image !== undefined) {
    if (!model.lastFrame) throw invalid(`${body.model} does not accept last_frame_image`);
    const problem = checkImage('last_frame_image', body.last_frame_image);
    if (problem) throw invalid(problem);
  }
  if (model.subject && body.subject_reference === undefined) throw invalid(`subject_reference is required for ${body.model}`);
  if (body.subject_reference !== undefined) {
    if (!model.subject) throw invalid(`${body.model} does not accept subject_reference`);
    const problem = checkSubjectReference(body.subject_reference);
    if (problem) throw invalid(problem);
  }

  if (body.prompt !== undefined && typeof body.prompt !== 'string') throw invalid('prompt must be a string');
  if ((body.prompt ?? '').length > 2000) throw invalid('prompt must be at most 2000 characters');
  // Text-to-video needs a prompt; with an image (or subject) it is optional.
  if (!hasFirst && !model.subject && !body.prompt) throw invalid('prompt is required for text-to-video');

  const resolution = body.resolution ?? model.resolutions[0];
  if (!model.resolutions.includes(resolution)) {
    throw invalid(`resolution ${JSON.stringify(body.resolution)} is not supported by ${body.model}`);
  }
  if (resolution === '512P' && !hasFirst) throw invalid('512P is only available for image-to-video');
  const duration = body.duration ?? 6;
  if (duration !== 6 && duration !== 10) throw invalid('duration must be 6 or 10');
  if (duration === 10 && (resolution === '1080P' || model.resolutions === LEGACY)) {
    throw invalid(`duration 10 is not supported for ${body.model} at ${resolution}`);
  }
  if (body.callback_url !== undefined) {
    if (typeof body.callback_url !== 'string' || !/^https?:\/\//.test(body.callback_url) || !URL.canParse(body.callback_url)) {
      throw invalid('callback_url must be an http(s) URL');
    }
  }
  return { resolution, duration };
}

// Accepts exactly one query parameter, `name`, holding a numeric id.
function idParam(url, name) {
  for (const key of url.searchParams.keys()) {
    if (key !== name) throw invalid(`unknown query parameter: ${key}`);
  }
  const values = url.searchParams.getAll(name);
  if (values.length !== 1 || values[0] === '') throw invalid(`${name} is required`);
  return values[0];
}

export async function startHailuoMock({ apiKey = 'hailuo-test-key', ...options } = {}) {
  const preparingMs = (options.processingAfterMs ?? 150) / 2;
  const doneAfterMs = options.doneAfterMs ?? 500;
  const files = new Map(); // file_id -> task

  function statusOf(vendor, task) {
    const state = vendor.stateOf(task);
    if (state === 'queued') return Date.now() - task.createdAt < preparingMs ? 'Preparing' : 'Queueing';
    return STATUS[state];
  }

  const mock = await startTaskVendor(
    {
      name: 'hailuo',
      routeKinds: ['create', 'query', 'retrieve'],
      route(method, url) {
        if (method === 'POST' && url.pathname === '/v1/video_generation') return { kind: 'create' };
        if (method === 'GET' && url.pathname === '/v1/query/video_generation') return { kind: 'query' };
        if (method === 'GET' && url.pathname === '/v1/files/retrieve') return { kind: 'retrieve' };
        return { kind: 'other' };
      },
      authenticate(req) {
        if (req.headers.authorization !== `Bearer ${apiKey}`) return error(HAILUO_CODES.authFailed, AUTH_MESSAGE);
        return null;
      },
      notFound: (method, path) => error(HAILUO_CODES.invalidParams, `invalid params, no route for ${method} ${path}`, 404),
      faultBody(status) {
        if (status === 429) return baseResp(HAILUO_CODES.rateLimit, 'rate limit exceeded(RPM)');
        if (status === 413) return baseResp(HAILUO_CODES.invalidParams, 'invalid params, request body too large');
        if (status >= 400 && status < 500) return baseResp(HAILUO_CODES.invalidParams, `invalid params, mock fault: HTTP ${status}`);
        return baseResp(HAILUO_CODES.unknown, 'unknown error');
      },
      // Status updates MiniMax posts to callback_url.
      callbackPayload: (task, vendor) => {
        const status = statusOf(vendor, task);
        return {
          task_id: task.id,
          status,
          ...(status === 'Success' && { file_id: task.fileId }),
          ...(status === 'Fail' ? baseResp(HAILUO_CODES.outputSensitive, FAILURE_MESSAGE) : OK()),
        };
      },
      async handle({ req, url, body, route, vendor }) {
        if (route.kind === 'query') {
          const taskId = idParam(url, 'task_id');
          const task = vendor.tasks.get(taskId);
          if (!task) throw invalid('invalid task_id');
          const status = statusOf(vendor, task);
          if (status === 'Fail') {
            return [200, { task_id: task.id, status, ...baseResp(HAILUO_CODES.outputSensitive, FAILURE_MESSAGE) }];
          }
          const view = { task_id: task.id, status };
          if (status === 'Success') {
            const [width, height] = DIMENSIONS[task.resolution];
            Object.assign(view, { file_id: task.fileId, video_width: width, video_height: height });
          }
          return [200, { ...view, ...OK() }];
        }
        if (route.kind === 'retrieve') {
          const fileId = idParam(url, 'file_id');
          if (!/^\d+$/.test(fileId)) throw invalid('file_id must be an integer');
          const task = files.get(fileId);
          if (!task || statusOf(vendor, task) !== 'Success') throw invalid('file not found');
          return [200, {
            file: {
              file_id: Number(fileId),
              bytes: task.videoSize,
              created_at: Math.floor((task.createdAt + doneAfterMs) / 1000),
              filename: 'output.mp4',
              purpose: 'video_generation',
              download_url: vendor.videoUrl(task),
              backup_download_url: vendor.videoUrl(task),
            },
            ...OK(),
          }];
        }
        if (mediaType(req.headers['content-type']) !== 'application/json') {
          throw invalid('Content-Type must be application/json');
        }
        const { resolution, duration } = validate(body);
        // MiniMax checks a callback_url before taking the task: it must echo
        // the challenge it is sent.
        if (body.callback_url !== undefined && !(await vendor.challengeAccepted(body.callback_url))) {
          throw invalid('callback_url did not answer the challenge');
        }
        let fileId = numericId();
        while (files.has(fileId)) fileId = numericId();
        const task = vendor.createTask({
          id: numericId(),
          prompt: body.prompt,
          request: body,
          extra: { fileId, resolution, duration },
        });
        files.set(fileId, task);
        return [200, { task_id: task.id, ...OK() }];
      },
    },
    options,
  );
  return { ...mock, apiKey };
}
