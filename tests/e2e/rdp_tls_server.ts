// A TLS-only RDP server for the browser suites, in the manner of tests/src/servers/fake.rs:
// answers the X.224 Connection Request by selecting TLS (PROTOCOL_SSL) when the client offers it
// and refusing with SSL_REQUIRED_BY_SERVER otherwise, then speaks TLS with the certificate it was
// given. Certificates are made with the openssl command line, as tests/src/servers/certs.rs does
// (`x509 -req -days -1` signs one whose notAfter is already past).
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface TestCertificate { cert: string; key: string }

/** A self-signed RSA 2048 certificate for localhost; `days` -1 makes it expired since yesterday. */
export function makeCertificate(days: number): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdp-doctor-e2e-cert-'));
  try {
    const file = (name: string) => path.join(dir, name);
    fs.writeFileSync(file('ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
      '-keyout', file('key'), '-out', file('csr')], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-sha256', '-days', String(days), '-in', file('csr'),
      '-extfile', file('ext'), '-signkey', file('key'), '-out', file('crt')], { stdio: 'pipe' });
    return { cert: fs.readFileSync(file('crt'), 'utf8'), key: fs.readFileSync(file('key'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PROTOCOL_SSL = 1;

/** TPKT + X.224 Connection Confirm carrying an RDP_NEG_RSP (type 2) or RDP_NEG_FAILURE (type 3). */
function confirm(type: 2 | 3, value: number): Buffer {
  const negotiation = Buffer.from([type, 0, 8, 0, 0, 0, 0, 0]);
  negotiation.writeUInt32LE(value, 4);
  const x224 = Buffer.from([14, 0xd0, 0, 0, 0x12, 0x34, 0]);
  const tpkt = Buffer.from([3, 0, 0, 4 + x224.length + negotiation.length]);
  return Buffer.concat([tpkt, x224, negotiation]);
}

export async function startTlsOnlyServer(port: number, certificate: TestCertificate): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let request = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      request = Buffer.concat([request, chunk]);
      if (request.length < 4) return;
      const length = request.readUInt16BE(2);
      if (request.length < length) return;
      socket.off('data', onData);
      // An RDP_NEG_REQ (type 1) is the request's last 8 bytes; without one, only standard RDP.
      const negotiation = request.subarray(length - 8, length);
      const requested = length >= 19 && negotiation[0] === 1 ? negotiation.readUInt32LE(4) : 0;
      if ((requested & PROTOCOL_SSL) === 0) {
        socket.end(confirm(3, 1)); // SSL_REQUIRED_BY_SERVER
        return;
      }
      socket.write(confirm(2, PROTOCOL_SSL));
      const secure = new tls.TLSSocket(socket, { isServer: true, ...certificate });
      secure.on('error', () => socket.destroy());
      // A real server would read the MCS Connect Initial next; this one only holds the line.
      secure.on('data', () => undefined);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
