// Google Veo through the Gemini API (generativelanguage.googleapis.com) mock:
// API key in `x-goog-api-key` (or `?key=`), google.rpc.Status errors,
// long-running operations named models/{model}/operations/{opid}, and the
// result served as a Files download that redirects (302) to a signed URL on
// the CDN -- as Google redirects to its storage. The CDN rejects credential
// headers, so a gateway that forwards the API key across the redirect fails.
//
// Routes:
//   POST /v1beta/models/{model}:predictLongRunning       -> {name: "models/{model}/operations/{opid}"}
//   GET  /v1beta/models/{model}/operations/{opid}         -> {name} | {name, done: true, response|error}
//   GET  /v1beta/files/{fileid}:download?alt=media        -> 302 Location: <signed CDN URL>
//                                                            (API key header required here; ?key= is not accepted)
// Failed operations ([mock:fail]) end with the error form:
//   {name, done: true, error: {code: 3, message}}   (google.rpc.Status, so no `status` string)
//
// Also exports the google.rpc.Status helpers and the Veo request validator the
// Vertex AI mock (veo-vertex.mjs) shares.

import { randomBytes } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

// ---------------------------------------------------------------- google.rpc helpers

const STATUS_NAMES = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const googleStatusName = (code) => STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');

// The HTTP error envelope: {error: {code, message, status, details?}}.
export function googleError(code, message, details) {
  const error = { code, message, status: googleStatusName(code) };
  if (details) error.details = details;
  return new VendorError(code, { error });
}

export function googleFaultBody(status, messages = {}) {
  const message = messages[status] ?? `mock fault: HTTP ${status}`;
  return { error: { code: status, message, status: googleStatusName(status) } };
}

function badRequest(message, field) {
  return googleError(400, message, [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: message }] },
  ]);
}

const unknownField = (name, at) =>
  badRequest(`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`, at || name);

const invalidValue = (at, type, value) =>
  badRequest(`Invalid value at '${at}' (${type}), ${JSON.stringify(value)}`, at);

// ---------------------------------------------------------------- Veo request validation

export const VEO_MODELS = {
  'veo-3.1-generate-preview': { gen: 3, durations: [4, 6, 8], lastFrame: true, referenceImages: true, extension: true },
  'veo-3.1-fast-generate-preview': { gen: 3, durations: [4, 6, 8], lastFrame: true, referenceImages: true, extension: true },
  'veo-3.1-generate-001': { gen: 3, durations: [4, 6, 8], lastFrame: true, referenceImages: true, extension: true, vertexOnly: true },
  'veo-3.1-fast-generate-001': { gen: 3, durations: [4, 6, 8], lastFrame: true, referenceImages: true, extension: true, vertexOnly: true },
  'veo-3.0-generate-001': { gen: 3, durations: [4, 6, 8] },
  'veo-3.0-fast-generate-001': { gen: 3, durations: [4, 6, 8] },
  'veo-2.0-generate-001': { gen: 2, durations: [5, 6, 7, 8], vertexLastFrame: true },
};

const PLATFORM = {
  gemini: {
    imageKeys: ['bytesBase64Encoded', 'mimeType'],
    parameterKeys: ['aspectRatio', 'durationSeconds', 'resolution', 'negativePrompt', 'personGeneration', 'sampleCount', 'enhancePrompt'],
  },
  vertex: {
    imageKeys: ['bytesBase64Encoded', 'gcsUri', 'mimeType'],
    parameterKeys: [
      'aspectRatio', 'durationSeconds', 'resolution', 'negativePrompt', 'personGeneration', 'sampleCount', 'seed',
      'generateAudio', 'storageUri', 'enhancePrompt', 'compressionQuality', 'resizeMode', 'fps',
    ],
  },
};
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
// Gemini API video extension: +7 s per call to a Veo-made video of at most
// 141 s, asked for as 8 s at 720p; the result is the whole video.
export const EXTENSION_SECONDS = 7;
const MAX_EXTENSION_INPUT_SECONDS = 141;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function checkKeys(object, allowed, at) {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw unknownField(key, at);
}

function checkImage(image, at, platform) {
  if (!isPlainObject(image)) throw invalidValue(at, 'TYPE_MESSAGE', image);
  checkKeys(image, PLATFORM[platform].imageKeys, at);
  const { bytesBase64Encoded: data, gcsUri } = image;
  if ((data === undefined) === (gcsUri === undefined)) {
    throw badRequest(
      platform === 'gemini' ? `${at}.bytesBase64Encoded is required.` : `Exactly one of ${at}.bytesBase64Encoded and ${at}.gcsUri must be set.`,
      at,
    );
  }
  if (data !== undefined) {
    if (typeof data !== 'string' || data === '' || !(BASE64.test(data) || BASE64URL.test(data))) {
      throw badRequest(`Invalid value at '${at}.bytes_base64_encoded' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(String(data).slice(0, 40))}`, `${at}.bytes_base64_encoded`);
    }
    if (!sniffImage(Buffer.from(data, BASE64.test(data) ? 'base64' : 'base64url'))) {
      throw badRequest(`Unable to process input image in ${at}. Please retry or report in https://developers.generativeai.google/guide/troubleshooting`, at);
    }
  } else if (typeof gcsUri !== 'string' || !/^gs:\/\/[^/]+\/.+/.test(gcsUri)) {
    throw badRequest(`${at}.gcsUri must be a gs://bucket/object URI.`, `${at}.gcsUri`);
  }
  if (!IMAGE_TYPES.includes(image.mimeType)) {
    throw badRequest(`${at}.mimeType must be one of ${IMAGE_TYPES.join(', ')}.`, `${at}.mimeType`);
  }
}

function checkGeminiVideo(video) {
  checkKeys(video, ['uri'], 'instances[0].video');
  if (typeof video.uri !== 'string' || video.uri === '') {
    throw badRequest('instances[0].video.uri is required.', 'instances[0].video.uri');
  }
}

// Vertex takes the video to extend as bytes or a gs:// object, an MP4.
function checkVertexVideo(video) {
  const at = 'instances[0].video';
  checkKeys(video, ['bytesBase64Encoded', 'gcsUri', 'mimeType'], at);
  const { bytesBase64Encoded: data, gcsUri } = video;
  if ((data === undefined) === (gcsUri === undefined)) {
    throw badRequest(`Exactly one of ${at}.bytesBase64Encoded and ${at}.gcsUri must be set.`, at);
  }
  if (data !== undefined && (typeof data !== 'string' || data === '' || !BASE64.test(data))) {
    throw badRequest(`Invalid value at '${at}.bytes_base64_encoded' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(String(data).slice(0, 40))}`, `${at}.bytes_base64_encoded`);
  }
  if (gcsUri !== undefined && (typeof gcsUri !== 'string' || !/^gs:\/\/[^/]+\/.+/.test(gcsUri))) {
    throw badRequest(`${at}.gcsUri must be a gs://bucket/object URI.`, `${at}.gcsUri`);
  }
  if (video.mimeType !== 'video/mp4') throw badRequest(`${at}.mimeType must be video/mp4.`, `${at}.mimeType`);
}

const unsupported = (field, model) =>
  badRequest(`\`${field}\` isn't supported by ${model}. Please remove it or refer to the documentation for supported usage.`, field);

// Validates a predictLongRunning body for `model` on 'gemini' or 'vertex';
// returns {prompt, parameters} with the parameters defaulted.
export function validateVeoRequest(body, model, platform) {
  const spec = VEO_MODELS[model];
  if (!isPlainObject(body)) throw badRequest('Invalid JSON payload received. Unexpected token.', '');
  checkKeys(body, ['instances', 'parameters'], '');
  if (!Array.isArray(body.instances) || body.instances.length === 0) throw badRequest('instances is required.', 'instances');
  if (body.instances.length > 1) throw badRequest(`Only one instance is supported by ${model}.`, 'instances');
  const instance = body.instances[0];
  if (!isPlainObject(instance)) throw invalidValue('instances[0]', 'TYPE_MESSAGE', instance);
  checkKeys(instance, ['prompt', 'image', 'lastFrame', 'referenceImages', 'video'], 'instances[0]');
  if (instance.video !== undefined) {
    if (!spec.extension) throw unsupported('video', model);
    if (!isPlainObject(instance.video)) throw invalidValue('instances[0].video', 'TYPE_MESSAGE', instance.video);
    if (platform === 'gemini') checkGeminiVideo(instance.video);
    else checkVertexVideo(instance.video);
    for (const other of ['image', 'lastFrame', 'referenceImages']) {
      if (instance[other] !== undefined) throw badRequest(`video cannot be combined with ${other}.`, `instances[0].${other}`);
    }
    const parameters = body.parameters ?? {};
    if (isPlainObject(parameters)) {
      // The Gemini API asks for 8 s at 720p; Vertex extends by 7 s at
      // 720p or 1080p and documents no durationSeconds for it.
      const seconds = platform === 'gemini' ? 8 : 7;
      if (parameters.durationSeconds !== undefined && parameters.durationSeconds !== seconds) {
        throw badRequest(`Video extension requires durationSeconds ${seconds}.`, 'parameters.durationSeconds');
      }
      const resolutions = platform === 'gemini' ? ['720p'] : ['720p', '1080p'];
      if (parameters.resolution !== undefined && !resolutions.includes(parameters.resolution)) {
        throw badRequest(`Video extension is only supported at ${resolutions.join(' or ')}.`, 'parameters.resolution');
      }
    }
  }
  if (instance.prompt !== undefined && typeof instance.prompt !== 'string') {
    throw invalidValue('instances[0].prompt', 'TYPE_STRING', instance.prompt);
  }
  if (!instance.prompt && instance.image === undefined) throw badRequest('instances[0].prompt is required.', 'instances[0].prompt');
  if (instance.image !== undefined) checkImage(instance.image, 'instances[0].image', platform);
  if (instance.lastFrame !== undefined) {
    if (!(spec.lastFrame || (platform === 'vertex' && spec.vertexLastFrame))) throw unsupported('lastFrame', model);
    if (instance.image === undefined) throw badRequest('lastFrame requires image (the first frame).', 'instances[0].lastFrame');
    checkImage(instance.lastFrame, 'instances[0].lastFrame', platform);
  }
  if (instance.referenceImages !== undefined) {
    if (!spec.referenceImages) throw unsupported('referenceImages', model);
    const refs = instance.referenceImages;
    if (!Array.isArray(refs) || refs.length === 0 || refs.length > 3) {
      throw badRequest('instances[0].referenceImages must hold 1 to 3 images.', 'instances[0].referenceImages');
    }
    refs.forEach((ref, i) => {
      const at = `instances[0].referenceImages[${i}]`;
      if (!isPlainObject(ref)) throw invalidValue(at, 'TYPE_MESSAGE', ref);
      checkKeys(ref, ['image', 'referenceType'], at);
      checkImage(ref.image, `${at}.image`, platform);
      if (!['asset', 'style'].includes(ref.referenceType)) throw badRequest(`${at}.referenceType must be asset or style.`, at);
    });
  }

  const parameters = body.parameters ?? {};
  if (!isPlainObject(parameters)) throw invalidValue('parameters', 'TYPE_MESSAGE', parameters);
  checkKeys(parameters, PLATFORM[platform].parameterKeys, 'parameters');
  const oneOf = (name, values) => {
    if (parameters[name] !== undefined && !values.includes(parameters[name])) {
      throw badRequest(`parameters.${name} ${JSON.stringify(parameters[name])} is not supported; use one of ${values.map((v) => JSON.stringify(v)).join(', ')}.`, `parameters.${name}`);
    }
  };
  const typed = (name, test, type) => {
    if (parameters[name] !== undefined && !test(parameters[name])) throw invalidValue(`parameters.${name}`, type, parameters[name]);
  };
  typed('durationSeconds', Number.isInteger, 'TYPE_INT32');
  typed('sampleCount', Number.isInteger, 'TYPE_INT32');
  typed('seed', (v) => Number.isInteger(v) && v >= 0 && v <= 4294967295, 'TYPE_UINT32');
  typed('fps', Number.isInteger, 'TYPE_INT32');
  for (const flag of ['enhancePrompt', 'generateAudio']) typed(flag, (v) => typeof v === 'boolean', 'TYPE_BOOL');
  for (const text of ['negativePrompt', 'storageUri']) typed(text, (v) => typeof v === 'string', 'TYPE_STRING');
  oneOf('aspectRatio', ['16:9', '9:16']);
  if (parameters.durationSeconds !== undefined && !spec.durations.includes(parameters.durationSeconds)) {
    throw badRequest(
      `The value for durationSeconds is out of bound for ${model}. Please provide one of ${spec.durations.join(', ')}.`,
      'parameters.durationSeconds',
    );
  }
  if (parameters.resolution !== undefined) {
    if (spec.gen < 3) throw unsupported('resolution', model);
    oneOf('resolution', ['720p', '1080p']);
    if (platform === 'gemini' && parameters.resolution === '1080p' && (parameters.durationSeconds ?? 8) !== 8) {
      throw badRequest('1080p is only supported with durationSeconds 8.', 'parameters.resolution');
    }
  }
  oneOf('personGeneration', ['allow_all', 'allow_adult', 'dont_allow']);
  oneOf('sampleCount', [1, 2, 3, 4]);
  oneOf('compressionQuality', ['optimized', 'lossless']);
  oneOf('resizeMode', ['pad', 'crop']);
  if (parameters.resizeMode !== undefined && (spec.gen < 3 || instance.image === undefined)) {
    throw badRequest('resizeMode applies to image-to-video with Veo 3 models only.', 'parameters.resizeMode');
  }
  oneOf('fps', [24]);
  if (parameters.storageUri !== undefined && !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/.*)?$/.test(parameters.storageUri)) {
    throw badRequest('parameters.storageUri must be a gs://bucket[/prefix] URI.', 'parameters.storageUri');
  }
  return { prompt: instance.prompt ?? '', parameters: { sampleCount: 1, ...parameters }, video: instance.video };
}

// ---------------------------------------------------------------- the Gemini API mock

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const lowerAlnumId = (length = 12) => [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');

const GEMINI_FAULTS = {
  429: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};
const FAILURE = {
  code: 3,
  message:
    "Video generation failed: the output was blocked by the safety filters (it may depict a celebrity's likeness). Try rephrasing the prompt.",
};
const RESPONSE_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';

export async function startVeoGeminiMock({ apiKey = 'gemini-test-key', ...options } = {}) {
  const files = new Map(); // fileid -> task
  let baseUrl = null;

  const mock = await startTaskVendor(
    {
      name: 'veo-gemini',
      routeKinds: ['create', 'query', 'download'],
      route(method, url) {
        const create = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(url.pathname);
        if (create && method === 'POST') return { kind: 'create', model: create[1] };
        const query = /^\/v1beta\/models\/([^/:]+)\/operations\/([^/:]+)$/.exec(url.pathname);
        if (query && method === 'GET') return { kind: 'query', model: query[1], opid: query[2] };
        const download = /^\/v1beta\/files\/([^/:]+):download$/.exec(url.pathname);
        if (download && method === 'GET') return { kind: 'download', fileId: download[1] };
        return { kind: 'other' };
      },
      authenticate(req, raw, url) {
        if (req.headers.authorization !== undefined) {
          return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.');
        }
        const isDownload = /^\/v1beta\/files\/[^/]+:download$/.test(url.pathname);
        const key = req.headers['x-goog-api-key'] ?? (isDownload ? undefined : (url.searchParams.get('key') ?? undefined));
        if (key === undefined || key === '') {
          return googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
        }
        if (key !== apiKey) {
          return googleError(400, 'API key not valid. Please pass a valid API key.', [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          ]);
        }
        return null;
      },
      notFound: (method, path) => googleError(404, `Method not found: ${method} ${path}`),
      faultBody: (status) => googleFaultBody(status, GEMINI_FAULTS),
      handle({ req, url, body, route, vendor }) {
        if (route.kind === 'download') {
          const task = files.get(route.fileId);
          if (!task || vendor.stateOf(task) !== 'succeeded') throw googleError(404, `File files/${route.fileId} not found.`);
          if (url.searchParams.get('alt') !== 'media') {
            throw googleError(400, 'Downloading a file requires alt=media.');
          }
          return [302, {}, { Location: vendor.videoUrl(task) }];
        }
        if (!Object.hasOwn(VEO_MODELS, route.model) || VEO_MODELS[route.model].vertexOnly) {
          throw googleError(404, `models/${route.model} is not found for API version v1beta, or is not supported for predictLongRunning. Call ListModels to see the list of available models and their supported methods.`);
        }
        if (route.kind === 'query') {
          const task = vendor.tasks.get(route.opid);
          const name = `models/${route.model}/operations/${route.opid}`;
          if (!task || task.model !== route.model) throw googleError(404, `Operation ${name} not found.`);
          const state = vendor.stateOf(task);
          if (state === 'failed') return [200, { name, done: true, error: FAILURE }];
          if (state !== 'succeeded') return [200, { name }];
          const generatedSamples = task.fileIds.map((id) => ({ video: { uri: `${baseUrl}/v1beta/files/${id}:download?alt=media` } }));
          return [200, { name, done: true, response: { '@type': RESPONSE_TYPE, generateVideoResponse: { generatedSamples } } }];
        }
        if (mediaType(req.headers['content-type']) !== 'application/json') {
          throw googleError(400, 'Invalid JSON payload received. Content-Type must be application/json.');
        }
        const { prompt, parameters, video } = validateVeoRequest(body, route.model, 'gemini');
        let seconds = parameters.durationSeconds ?? 8;
        let extends_ = null;
        if (video) {
          // Only a video this API made (a file of a finished operation).
          const prefix = `${baseUrl}/v1beta/files/`;
          const fileId = video.uri.startsWith(prefix) ? /^([^/:]+):download/.exec(video.uri.slice(prefix.length))?.[1] : undefined;
          const source = fileId && files.get(fileId);
          if (!source || vendor.stateOf(source) !== 'succeeded') {
            throw badRequest('instances[0].video must be a video generated by Veo.', 'instances[0].video.uri');
          }
          if (source.seconds > MAX_EXTENSION_INPUT_SECONDS) {
            throw badRequest(`The input video must be at most ${MAX_EXTENSION_INPUT_SECONDS} seconds long.`, 'instances[0].video');
          }
          seconds = source.seconds + EXTENSION_SECONDS;
          extends_ = source.id;
        }
        const opid = lowerAlnumId();
        const fileIds = Array.from({ length: parameters.sampleCount }, () => lowerAlnumId());
        const task = vendor.createTask({ id: opid, prompt, request: body, extra: { model: route.model, fileIds, seconds, extends: extends_ } });
        for (const id of fileIds) files.set(id, task);
        return [200, { name: `models/${route.model}/operations/${opid}` }];
      },
    },
    options,
  );
  baseUrl = mock.url;
  return { ...mock, apiKey };
}
