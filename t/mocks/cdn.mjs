// A vendor CDN / object store that serves generated media through expiring
// signed URLs, answering errors the way S3-compatible stores do.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { listenEphemeral } from './http-kit.mjs';
import { largeVideoStream, serveBytes } from './media.mjs';

// Headers that carry a client's or a vendor's credentials. A gateway that
// forwards any of them to a CDN leaks secrets to a third party.
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-goog-api-key', 'x-api-key', 'api-key'];

// Error answers in the S3 style most vendor buckets and CDNs front.
const S3_ERRORS = {
  credentialsSent: [
    400,
    'InvalidArgument',
    'Only one auth mechanism allowed; only the signature query parameters or a header should be specified',
  ],
  methodNotAllowed: [405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.'],
  unsigned: [403, 'AccessDenied', 'Query-string authentication requires the exp and sig parameters'],
  badSignature: [
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided.',
  ],
  expired: [403, 'AccessDenied', 'Request has expired'],
  noSuchKey: [404, 'NoSuchKey', 'The specified key does not exist.'],
};

function s3Error(res, [status, code, message]) {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` + `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

export async function startCdn({ contentType = 'video/mp4' } = {}) {
  const secret = randomBytes(32);
  const objects = new Map();
  const requests = [];
  const leaks = [];

  const signature = (path, exp) => createHmac('sha256', secret).update(`${path}\n${exp}`).digest('hex');

  function signatureMatches(path, exp, provided) {
    const expected = Buffer.from(signature(path, exp), 'hex');
    const given = Buffer.from(provided, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  function handle(req, res) {
    const target = new URL(req.url, 'http://cdn.invalid');
    const path = target.pathname;
    const entry = {
      method: req.method,
      path,
      query: Object.fromEntries(target.searchParams),
      headers: { ...req.headers },
      status: null,
    };
    requests.push(entry);

    const leakedHeaders = CREDENTIAL_HEADERS.filter((name) => req.headers[name] !== undefined);
    if (leakedHeaders.length > 0) {
      for (const header of leakedHeaders) leaks.push({ path, header });
      // S3 answers this when a presigned URL also carries an Authorization header.
      entry.status = s3Error(res, S3_ERRORS.credentialsSent);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      entry.status = s3Error(res, S3_ERRORS.methodNotAllowed);
      return;
    }
    const exp = target.searchParams.get('exp');
    const sig = target.searchParams.get('sig');
    if (!exp || !sig) {
      entry.status = s3Error(res, S3_ERRORS.unsigned);
      return;
    }
    if (!/^\d+$/.test(exp) || !/^[0-9a-f]+$/.test(sig) || !signatureMatches(path, exp, sig)) {
      entry.status = s3Error(res, S3_ERRORS.badSignature);
      return;
    }
    if (Number(exp) <= Date.now() / 1000) {
      entry.status = s3Error(res, S3_ERRORS.expired);
      return;
    }
    const object = objects.get(path);
    if (!object) {
      entry.status = s3Error(res, S3_ERRORS.noSuchKey);
      return;
    }
    res.on('finish', () => (entry.status = res.statusCode));
    serveBytes(req, res, object);
  }

  const server = await listenEphemeral(handle);

  return {
    url: server.url,
    requests,
    leaks,
    signUrl(path, ttlSeconds) {
      const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
      return `${server.url}${path}?exp=${exp}&sig=${signature(path, String(exp))}`;
    },
    // register(path, {bytes, contentType?}) or register(path, {size, seed, contentType?});
    // the second form is generated lazily by media.largeVideoStream.
    register(path, { bytes, size, seed, contentType: objectContentType = contentType }) {
      if (!path.startsWith('/')) throw new TypeError(`CDN paths start with '/': ${path}`);
      if (bytes) {
        objects.set(path, { bytes, contentType: objectContentType });
      } else {
        objects.set(path, {
          size,
          contentType: objectContentType,
          stream: (start, end) => largeVideoStream(seed, size, { start, end }),
        });
      }
    },
    close: () => server.close(),
  };
}
