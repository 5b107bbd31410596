// The shipped configuration (conf-examples/nginx.conf, verbatim) set up to
// run here: its include files go beside it in a conf directory of their
// own, resolver.conf from this machine's resolv.conf, and
// vendor-upstreams.conf with each vendor served by a local mock pointing at
// that mock (the rest as shipped). Used by `./build.sh run` and by the test
// of the shipped configuration.

import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CONF_EXAMPLES } from './gateway.mjs';

// Each vendor: the environment variables nginx.conf reads for it, its
// upstream block, and what the variables are set to when a mock stands in.
export const RUN_VENDORS = [
  { name: 'openai', env: ['OPENAI_API_KEY'], url: 'VGW_OPENAI_BASE_URL', upstream: 'openai_api',
    values: (m) => ({ OPENAI_API_KEY: m.apiKey }) },
  { name: 'kling', env: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'], url: 'VGW_KLING_BASE_URL', upstream: 'kling_api',
    values: (m) => ({ KLING_ACCESS_KEY: m.accessKey, KLING_SECRET_KEY: m.secretKey }) },
  { name: 'vidu', env: ['VIDU_API_KEY'], url: 'VGW_VIDU_BASE_URL', upstream: 'vidu_api', values: (m) => ({ VIDU_API_KEY: m.apiKey }) },
  { name: 'jimeng', env: ['JIMENG_ACCESS_KEY', 'JIMENG_SECRET_KEY'], url: 'VGW_JIMENG_BASE_URL', upstream: 'jimeng_api',
    values: (m) => ({ JIMENG_ACCESS_KEY: m.accessKey, JIMENG_SECRET_KEY: m.secretKey }) },
  { name: 'hailuo', env: ['MINIMAX_API_KEY'], url: 'VGW_HAILUO_BASE_URL', upstream: 'hailuo_api', values: (m) => ({ MINIMAX_API_KEY: m.apiKey }) },
  { name: 'seedance', env: ['ARK_API_KEY'], url: 'VGW_SEEDANCE_BASE_URL', upstream: 'seedance_api', values: (m) => ({ ARK_API_KEY: m.apiKey }) },
  { name: 'wan', env: ['DASHSCOPE_API_KEY'], url: 'VGW_WAN_BASE_URL', upstream: 'wan_api', values: (m) => ({ DASHSCOPE_API_KEY: m.apiKey }) },
  { name: 'veo-gemini', env: ['GEMINI_API_KEY'], url: 'VGW_VEO_GEMINI_BASE_URL', upstream: 'veo_gemini_api', values: (m) => ({ GEMINI_API_KEY: m.apiKey }) },
  { name: 'veo-vertex', env: ['VERTEX_ACCESS_TOKEN', 'VERTEX_PROJECT'], url: 'VGW_VEO_VERTEX_BASE_URL', upstream: 'veo_vertex_api',
    values: (m) => ({ VERTEX_ACCESS_TOKEN: m.accessToken, VERTEX_PROJECT: m.project, VERTEX_LOCATION: m.location }) },
];

function resolverConf() {
  const nameservers = existsSync('/etc/resolv.conf')
    ? [...readFileSync('/etc/resolv.conf', 'utf8').matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]).filter((ip) => !ip.includes(':'))
    : [];
  return `# Written from /etc/resolv.conf.\nresolver ${nameservers.length ? nameservers.join(' ') : '127.0.0.1'} ipv6=off valid=60s;\nresolver_timeout 5s;\n`;
}

// The shipped upstream blocks, except those `servers` names (block name ->
// "host:port": a local mock, or the host of a base_url set in the
// environment), which point there instead.
function vendorUpstreams(servers) {
  const shipped = readFileSync(join(CONF_EXAMPLES, 'vendor-upstreams.conf'), 'utf8');
  return shipped.replace(/upstream (\w+) \{[^}]*\}/g, (block, name) => (name in servers
    ? `upstream ${name} {\n    server ${servers[name]};\n    keepalive 8;\n}`
    : block));
}

// host:port of a base URL, for its upstream block.
export function serverOf(url) {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

// Writes <dir>/conf/ and returns the path of its nginx.conf. `port`, when
// given, replaces the shipped `listen 8080`.
export function writeRunConfig({ dir, servers = {}, port }) {
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  let nginxConf = readFileSync(join(CONF_EXAMPLES, 'nginx.conf'), 'utf8');
  if (port) nginxConf = nginxConf.replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  writeFileSync(join(conf, 'nginx.conf'), nginxConf);
  copyFileSync(join(CONF_EXAMPLES, 'vgw-locations.conf'), join(conf, 'vgw-locations.conf'));
  if (!existsSync(join(conf, 'vendors'))) symlinkSync(join(CONF_EXAMPLES, 'vendors'), join(conf, 'vendors'));
  writeFileSync(join(conf, 'resolver.conf'), resolverConf());
  writeFileSync(join(conf, 'vendor-upstreams.conf'), vendorUpstreams(servers));
  return join(conf, 'nginx.conf');
}
