// `./build.sh run`: starts nginx with the module and conf-examples/nginx.conf.
// Vendors without keys in the environment are served by local mock vendors,
// so the gateway works end to end on a fresh machine.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { ROOT, MODULE, CONF_EXAMPLES, NGINX } from './gateway.mjs';

const prefix = join(ROOT, 'build/run');
mkdirSync(join(prefix, 'logs'), { recursive: true });

// The id key is kept across runs so ids from a previous run still open.
const keyFile = join(prefix, 'id_key');
if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
const env = { ...process.env, VGW_ID_KEY: process.env.VGW_ID_KEY ?? readFileSync(keyFile, 'utf8') };

const nameservers = existsSync('/etc/resolv.conf')
  ? [...readFileSync('/etc/resolv.conf', 'utf8').matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]).filter((ip) => !ip.includes(':'))
  : [];
writeFileSync(join(CONF_EXAMPLES, 'resolver.conf'),
  `# Written by ./build.sh run from /etc/resolv.conf.\nresolver ${nameservers.length ? nameservers.join(' ') : '127.0.0.1'} ipv6=off valid=60s;\nresolver_timeout 5s;\n`);

const mocks = [];
const notes = [];
if (!env.OPENAI_API_KEY) {
  const m = await startOpenAIMock({ apiKey: 'sk-mock-openai', inProgressAfterMs: 3000, doneAfterMs: 10000 });
  mocks.push(m);
  Object.assign(env, { OPENAI_API_KEY: m.apiKey, VGW_OPENAI_BASE_URL: m.url });
  notes.push(`openai: local mock at ${m.url} (set OPENAI_API_KEY to use the real API)`);
} else {
  notes.push(`openai: ${env.VGW_OPENAI_BASE_URL ?? 'https://api.openai.com'}`);
}
if (!env.KLING_ACCESS_KEY || !env.KLING_SECRET_KEY) {
  const m = await startKlingMock({ accessKey: 'ak-mock', secretKey: 'sk-mock', processingAfterMs: 3000, doneAfterMs: 10000 });
  mocks.push(m);
  Object.assign(env, { KLING_ACCESS_KEY: m.accessKey, KLING_SECRET_KEY: m.secretKey, VGW_KLING_BASE_URL: m.url });
  notes.push(`kling:  local mock at ${m.url} (set KLING_ACCESS_KEY and KLING_SECRET_KEY to use the real API)`);
} else {
  notes.push(`kling:  ${env.VGW_KLING_BASE_URL ?? 'https://api-singapore.klingai.com'}`);
}

const nginx = spawn(NGINX, ['-p', prefix, '-c', join(CONF_EXAMPLES, 'nginx.conf'), '-g', `load_module ${MODULE}; daemon off;`], {
  env,
  stdio: 'inherit',
});

const base = 'http://127.0.0.1:8080';
console.log(`
vgw gateway listening on ${base}  (logs: build/run/logs/, Ctrl-C to stop)
${notes.map((n) => `  ${n}`).join('\n')}

Try it:
  curl -s ${base}/v1/videos -H 'Authorization: Bearer me' \\
       -F model=kling-v2-6 -F prompt='a red panda surfing' -F seconds=5 | tee /tmp/video.json
  ID=$(sed 's/.*"id":"\\([^"]*\\)".*/\\1/' /tmp/video.json)
  curl -s ${base}/v1/videos/$ID -H 'Authorization: Bearer me'          # repeat until "completed"
  curl -s ${base}/v1/videos/$ID/content -H 'Authorization: Bearer me' -o video.mp4
(use model=sora-2 for the OpenAI-compatible vendor)
`);

async function shutdown(code) {
  if (nginx.exitCode === null) nginx.kill('SIGQUIT');
  await Promise.all(mocks.map((m) => m.close()));
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
nginx.on('exit', (code) => shutdown(code ?? 1));
