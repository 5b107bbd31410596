// A DNS server for nginx's resolver (UDP, A records only): answers names
// from a table the test controls, NXDOMAIN for the rest, and logs every
// query. A name may map to a function, called per query, so a test can
// change the answer between lookups (DNS rebinding).

import { createSocket } from 'node:dgram';

const TYPE_A = 1;
const CLASS_IN = 1;

function readName(msg, offset) {
  const labels = [];
  for (;;) {
    const len = msg[offset];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: offset + 1 };
    if (len >= 0xc0) throw new Error('compressed names are not expected in queries');
    labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('latin1'));
    offset += 1 + len;
  }
}

function answer(query, { name, type, questionEnd, addresses, ttl }) {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const found = addresses !== null;
  header.writeUInt16BE(0x8180 | (found ? 0 : 3), 2); // response, RD+RA, rcode
  header.writeUInt16BE(1, 4); // one question
  const records = found && type === TYPE_A ? addresses : [];
  header.writeUInt16BE(records.length, 6);
  const parts = [header, query.subarray(12, questionEnd)];
  for (const address of records) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    parts.push(rr);
  }
  return Buffer.concat(parts);
}

export async function startDnsMock({ records = {}, ttl = 0 } = {}) {
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
  const queries = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg, peer) => {
    try {
      const { name, end } = readName(msg, 12);
      const type = msg.readUInt16BE(end);
      queries.push({ name, type });
      const entry = table.get(name);
      const value = typeof entry === 'function' ? entry(queries.filter((q) => q.name === name && q.type === type).length) : entry;
      const addresses = value === undefined ? null : [].concat(value);
      socket.send(answer(msg, { name, type, questionEnd: end + 4, addresses, ttl }), peer.port, peer.address);
    } catch {
      // Not a query this mock understands: no answer, like a lost packet.
    }
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    lookups: (name) => queries.filter((q) => q.name === name.toLowerCase() && q.type === TYPE_A).length,
    set(name, value) {
      table.set(name.toLowerCase(), value);
    },
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
