// Every vendor the project ships rules for, as mocks behind one gateway: how
// to start each mock, the vgw_vendor line that points the shipped rules at
// it, and a model it serves.

import {
  startHailuoMock,
  startJimengMock,
  startKlingMock,
  startOpenAIMock,
  startSeedanceMock,
  startVeoGeminiMock,
  startVeoVertexMock,
  startViduMock,
  startWanMock,
} from '../mocks/index.mjs';
import { CONF_EXAMPLES, vendorLines } from './gateway.mjs';

const yaml = (name) => `${CONF_EXAMPLES}/vendors/${name}.yaml`;

export const FLEET = [
  {
    name: 'openai',
    start: (timing) => startOpenAIMock({ inProgressAfterMs: timing.processingAfterMs, doneAfterMs: timing.doneAfterMs }),
    line: (m) => vendorLines({ openai: m }),
    model: 'sora-2',
  },
  {
    name: 'kling',
    start: (timing) => startKlingMock(timing),
    line: (m) => vendorLines({ kling: m }),
    model: 'kling-v2-6',
  },
  {
    name: 'vidu',
    start: (timing) => startViduMock(timing),
    line: (m) => `vgw_vendor ${yaml('vidu')} base_url=${m.url} api_key=${m.apiKey};`,
    model: 'viduq2',
  },
  {
    name: 'jimeng',
    start: (timing) => startJimengMock(timing),
    line: (m) => `vgw_vendor ${yaml('jimeng')} base_url=${m.url} access_key=${m.accessKey} secret_key=${m.secretKey};`,
    model: 'jimeng-v30',
  },
  {
    name: 'hailuo',
    start: (timing) => startHailuoMock(timing),
    line: (m) => `vgw_vendor ${yaml('hailuo')} base_url=${m.url} api_key=${m.apiKey};`,
    model: 'MiniMax-Hailuo-02',
  },
  {
    name: 'seedance',
    start: (timing) => startSeedanceMock(timing),
    line: (m) => `vgw_vendor ${yaml('seedance')} base_url=${m.url} api_key=${m.apiKey};`,
    model: 'doubao-seedance-1-0-pro-250528',
  },
  {
    name: 'wan',
    start: (timing) => startWanMock(timing),
    line: (m) => `vgw_vendor ${yaml('wan')} base_url=${m.url} api_key=${m.apiKey};`,
    model: 'wan2.5-t2v-preview',
  },
  {
    name: 'veo-gemini',
    start: (timing) => startVeoGeminiMock(timing),
    line: (m) => `vgw_vendor ${yaml('veo-gemini')} base_url=${m.url} api_key=${m.apiKey};`,
    model: 'veo-3.1-generate-preview',
  },
  {
    name: 'veo-vertex',
    start: (timing) => startVeoVertexMock(timing),
    // Both Google APIs serve the same model names: an alias tells them apart.
    line: (m) => `vgw_vendor ${yaml('veo-vertex')} base_url=${m.url} access_token=${m.accessToken} project=${m.project} location=${m.location} models=vertex-veo-3:veo-3.0-generate-001,vertex-veo-3.1:veo-3.1-generate-001;`,
    model: 'vertex-veo-3',
  },
];

export const fleetMember = (name) => FLEET.find((v) => v.name === name);

// Starts the named mocks (all by default); `lines` configures a gateway.
export async function startFleet({ names = FLEET.map((v) => v.name), timing = { processingAfterMs: 80, doneAfterMs: 300 } } = {}) {
  const mocks = {};
  try {
    for (const name of names) mocks[name] = await fleetMember(name).start(timing);
  } catch (e) {
    await Promise.all(Object.values(mocks).map((m) => m.close()));
    throw e;
  }
  return {
    mocks,
    lines: names.map((name) => fleetMember(name).line(mocks[name])).join('\n    '),
    close: () => Promise.all(Object.values(mocks).map((m) => m.close())),
  };
}
