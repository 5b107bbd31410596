// Google Veo on Vertex AI ({location}-aiplatform.googleapis.com) mock: OAuth
// access token in `Authorization: Bearer`, google.rpc.Status errors, publisher
// model long-running operations polled with POST :fetchPredictOperation, and
// results returned inline as base64 (or as gs:// URIs when the request named a
// storageUri). One mock serves one project and one location.
//
// Routes ({v} = v1 or v1beta1):
//   POST /{v}/projects/{project}/locations/{location}/publishers/google/models/{model}:predictLongRunning
//        -> {name: "projects/{project}/locations/{location}/publishers/google/models/{model}/operations/{uuid}"}
//   POST /{v}/projects/{project}/locations/{location}/publishers/google/models/{model}:fetchPredictOperation
//        body {operationName: <that name>}
//        -> {name} | {name, done: true, response: {...videos}} | {name, done: true, error: {code, message}}
//   POST /token  (Google's OAuth token endpoint, RFC 7523 JWT bearer grant)
//        form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>
//        -> {access_token, expires_in, token_type: "Bearer"}; the service-account
//        key from serviceAccountKey() signs the assertion.
// An extension (Veo 3.1) is a predictLongRunning whose instance has a video
// ({bytesBase64Encoded | gcsUri, mimeType: video/mp4}) and no image.
// [mock:fail] ends the operation with error {code: 3, message: <Responsible AI rejection>}.

import { createVerify, generateKeyPairSync, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { MP4_MIN_BYTES, largeVideoStream, mp4DurationSeconds } from './media.mjs';
import { startTaskVendor } from './task-vendor.mjs';
import { VEO_MODELS, googleError, googleFaultBody, validateVeoRequest } from './veo-gemini.mjs';

// Vertex extends a Veo video of 1-30 s by 7 s, into one stitched video.
const EXTENSION_SECONDS = 7;
const MAX_EXTENSION_INPUT_SECONDS = 30;
const RESPONSE_TYPE = 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse';
const FAILURE = {
  code: 3,
  message:
    "The prompt could not be submitted. This prompt contains sensitive words that violate Google's Responsible AI practices. Try rephrasing the prompt. If you think this was an error, send feedback. Support codes: 58061214",
};
const VERTEX_FAULTS = {
  429: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.',
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
};
const ROUTE = /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(predictLongRunning|fetchPredictOperation)$/;
const OPERATION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/]+)\/operations\/([^/]+)$/;

async function taskBytes(vendor, task) {
  const bytes = vendor.videoBytes(task);
  if (bytes) return bytes;
  const chunks = [];
  for await (const chunk of largeVideoStream(task.id, task.videoSize)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// The video an extension continues: an MP4 of 1-30 s, sent as bytes or as
// a gs:// object this project wrote (a storageUri result). The mock knows
// the length of the videos it made (its MP4s declare none); another MP4
// (an upload) must declare its length in its moov box.
function extensionSource(vendor, video) {
  const at = 'instances[0].video';
  let task;
  let bytes;
  if (video.gcsUri !== undefined) {
    task = [...vendor.tasks.values()].find((t) => t.parameters.storageUri !== undefined
      && video.gcsUri.startsWith(`${t.parameters.storageUri.replace(/\/+$/, '')}/${t.outputId}/`));
    if (!task || vendor.stateOf(task) !== 'succeeded') throw googleError(400, `${at}.gcsUri ${video.gcsUri} was not found.`);
  } else {
    bytes = Buffer.from(video.bytesBase64Encoded, 'base64');
    if (bytes.length < MP4_MIN_BYTES || bytes.subarray(4, 8).toString('latin1') !== 'ftyp') {
      throw googleError(400, `${at}: the input file must be MP4.`);
    }
    task = [...vendor.tasks.values()].find((t) => vendor.stateOf(t) === 'succeeded'
      && vendor.videoBytes(t)?.equals(bytes));
  }
  const seconds = task?.seconds ?? (bytes && mp4DurationSeconds(bytes));
  if (!seconds) throw googleError(400, `${at}: the input video could not be decoded.`);
  if (seconds < 1 || seconds > MAX_EXTENSION_INPUT_SECONDS) {
    throw googleError(400, `${at}: the input video must be 1 to ${MAX_EXTENSION_INPUT_SECONDS} seconds long.`);
  }
  return { task, seconds };
}

export async function startVeoVertexMock({
  accessToken = 'ya29.vertex-test-token',
  project = 'test-project',
  location = 'us-central1',
  ...options
} = {}) {
  // The service account whose JSON key the gateway is given.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `vgw-test@${project}.iam.gserviceaccount.com`;
  const issuedTokens = new Set();
  const tokenExchanges = [];
  let baseUrl = '';

  function exchangeToken(req, raw) {
    const oauthError = (error, description) => [400, { error, error_description: description }];
    if (mediaType(req.headers['content-type']) !== 'application/x-www-form-urlencoded') {
      return oauthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return oauthError('unsupported_grant_type', 'Invalid grant_type');
    }
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return oauthError('invalid_grant', 'Invalid JWT: not three segments');
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return oauthError('invalid_grant', 'Invalid JWT: segments are not base64url JSON');
    }
    if (header.alg !== 'RS256') return oauthError('invalid_grant', 'Invalid JWT: alg must be RS256');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${parts[0]}.${parts[1]}`);
    if (!verifier.verify(publicKey, Buffer.from(parts[2], 'base64url'))) {
      return oauthError('invalid_grant', 'Invalid JWT Signature.');
    }
    const now = Date.now() / 1000;
    if (claims.iss !== clientEmail) return oauthError('invalid_grant', 'Invalid JWT: unknown issuer');
    if (claims.aud !== `${baseUrl}/token`) return oauthError('invalid_grant', 'Invalid JWT: aud must be the token URI');
    if (!String(claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) {
      return oauthError('invalid_scope', 'Missing cloud-platform scope');
    }
    if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || claims.exp - claims.iat > 3600
        || Math.abs(claims.iat - now) > 300) {
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    const token = `ya29.sa-${randomBytes(12).toString('hex')}`;
    issuedTokens.add(token);
    tokenExchanges.push(claims);
    return [200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }];
  }

  const mock = await startTaskVendor(
    {
      name: 'veo-vertex',
      routeKinds: ['create', 'query', 'token'],
      route(method, url) {
        if (url.pathname === '/token' && method === 'POST') return { kind: 'token' };
        const m = ROUTE.exec(url.pathname);
        if (!m || method !== 'POST') return { kind: 'other' };
        return { kind: m[5] === 'predictLongRunning' ? 'create' : 'query', project: m[2], location: m[3], model: m[4] };
      },
      authenticate(req, raw, url) {
        if (url.pathname === '/token') return null;
        if (req.headers['x-goog-api-key'] !== undefined || url.searchParams.has('key')) {
          return googleError(401, 'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication');
        }
        const authorization = req.headers.authorization;
        if (authorization === undefined) {
          return googleError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.');
        }
        const token = authorization.replace(/^Bearer /, '');
        if (authorization !== `Bearer ${token}` || (token !== accessToken && !issuedTokens.has(token))) {
          return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.');
        }
        return null;
      },
      notFound: (method, path) => googleError(404, `Method not found: ${method} ${path}`),
      faultBody: (status) => googleFaultBody(status, VERTEX_FAULTS),
      async handle({ req, raw, body, route, vendor }) {
        if (route.kind === 'token') return exchangeToken(req, raw);
        const resource = `projects/${route.project}/locations/${route.location}/publishers/google/models/${route.model}`;
        if (route.project !== project) {
          throw googleError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`);
        }
        if (route.location !== location) {
          throw googleError(404, `Location ${route.location} is not served by ${location}-aiplatform.googleapis.com.`);
        }
        if (!Object.hasOwn(VEO_MODELS, route.model)) throw googleError(404, `Publisher Model \`${resource}\` not found.`);
        if (mediaType(req.headers['content-type']) !== 'application/json') {
          throw googleError(400, 'Invalid JSON payload received. Content-Type must be application/json.');
        }

        if (route.kind === 'create') {
          const { prompt, parameters, video } = validateVeoRequest(body, route.model, 'vertex');
          let seconds = parameters.durationSeconds ?? 8;
          let extends_ = null;
          if (video) {
            const source = extensionSource(vendor, video);
            seconds = source.seconds + EXTENSION_SECONDS;
            extends_ = source.task?.id ?? null;
          }
          const id = randomUUID();
          const name = `${resource}/operations/${id}`;
          vendor.createTask({
            id,
            prompt,
            request: body,
            extra: { model: route.model, name, parameters, seconds, extends: extends_, outputId: String(randomInt(1e13, 1e14)) },
          });
          return [200, { name }];
        }

        if (!isPlainObject(body)) throw googleError(400, 'Invalid JSON payload received. Unexpected token.');
        for (const key of Object.keys(body)) {
          if (key !== 'operationName') throw googleError(400, `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
        }
        const m = typeof body.operationName === 'string' ? OPERATION_NAME.exec(body.operationName) : null;
        if (!m) throw googleError(400, `Invalid operation name ${JSON.stringify(body.operationName ?? '')}: expected ${resource}/operations/{operation_id}.`);
        if (m[1] !== route.project || m[2] !== route.location || m[3] !== route.model) {
          throw googleError(400, `Operation ${body.operationName} does not belong to ${resource}.`);
        }
        const task = vendor.tasks.get(m[4]);
        if (!task || task.name !== body.operationName) throw googleError(404, `Operation ${body.operationName} not found.`);
        const name = task.name;
        const state = vendor.stateOf(task);
        if (state === 'failed') return [200, { name, done: true, error: FAILURE }];
        if (state !== 'succeeded') return [200, { name }];
        const { sampleCount, storageUri } = task.parameters;
        let videos;
        if (storageUri !== undefined) {
          const prefix = `${storageUri.replace(/\/+$/, '')}/${task.outputId}`;
          videos = Array.from({ length: sampleCount }, (_, i) => ({ gcsUri: `${prefix}/sample_${i}.mp4`, mimeType: 'video/mp4' }));
        } else {
          const bytesBase64Encoded = (await taskBytes(vendor, task)).toString('base64');
          videos = Array.from({ length: sampleCount }, () => ({ bytesBase64Encoded, mimeType: 'video/mp4' }));
        }
        return [200, { name, done: true, response: { '@type': RESPONSE_TYPE, raiMediaFilteredCount: 0, videos } }];
      },
    },
    options,
  );
  baseUrl = mock.url;
  return {
    ...mock,
    accessToken,
    project,
    location,
    tokenExchanges,
    // A service-account JSON key file as the Google Cloud console issues it.
    serviceAccountKey: () => ({
      type: 'service_account',
      project_id: project,
      private_key_id: 'mockkey1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: clientEmail,
      client_id: '1234567890',
      token_uri: `${mock.url}/token`,
    }),
  };
}
