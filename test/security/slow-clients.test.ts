import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestBerth, adminAuthorization, type TestBerth } from '../helpers/berth.js';
import { OciClient, randomBlob, uniqueName } from '../helpers/oci.js';

// Slow clients cannot hold sockets: request headers have a deadline, a body that stops
// sending is cut after http.bodyTimeoutSeconds, and one address holds a bounded number of
// connections. A normal client never meets these limits.

function open(server: TestBerth, localAddress = '127.0.0.1'): Promise<Socket> {
  const { hostname, port } = new URL(server.url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => undefined);
  socket.resume();
  return once(socket, 'connect').then(() => socket);
}

/** Seconds from now until the server closes the socket, or `limit` if it stays open that long. */
async function secondsUntilClosed(socket: Socket, limit: number): Promise<number> {
  const start = Date.now();
  if (socket.destroyed) return 0;
  const closed = once(socket, 'close').then(() => (Date.now() - start) / 1000);
  return Promise.race([closed, sleep(limit * 1000).then(() => limit)]);
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

test('slow request headers and stalled bodies are cut; a normal upload is not', async (t) => {
  const server = await startTestBerth({ http: { headersTimeoutSeconds: 2, bodyTimeoutSeconds: 2 } });
  t.after(() => server.close());
  const host = new URL(server.url).host;

  await t.test('headers sent a byte every 300 ms are cut after the headers timeout', async () => {
    const socket = await open(server);
    socket.write(`GET /v2/ HTTP/1.1\r\nHost: ${host}\r\n`);
    dribble(socket, `X-Slow: ${'a'.repeat(200)}\r\n\r\n`, 300);
    const seconds = await secondsUntilClosed(socket, 15);
    assert.ok(seconds >= 1 && seconds < 6, `closed after ${seconds} s`);
  });

  await t.test('a blob PATCH whose body stops sending is cut after the body timeout', async () => {
    const oci = new OciClient(server.url);
    const location = new URL(await oci.startUpload(uniqueName('slow')), server.url);
    const socket = await open(server);
    socket.write(
      `PATCH ${location.pathname}${location.search} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${adminAuthorization}\r\n` +
        `Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n`,
    );
    // A byte every 3 s: more idle time than the body timeout allows.
    dribble(socket, 'x'.repeat(100), 3000);
    const seconds = await secondsUntilClosed(socket, 15);
    assert.ok(seconds >= 1.5 && seconds < 6, `closed after ${seconds} s`);
  });

  await t.test('a normal 4 MiB upload completes', async () => {
    const oci = new OciClient(server.url);
    const repository = uniqueName('slow');
    const blob = randomBlob(4 * 1024 * 1024);
    await oci.pushBlob(repository, blob);
    const head = await oci.send('HEAD', `/v2/${repository}/blobs/${blob.digest}`);
    assert.equal(head.status, 200);
  });
});

test('one address holds at most http.maxConnectionsPerAddress connections; others are still served', async (t) => {
  const server = await startTestBerth({ http: { maxConnectionsPerAddress: 5 } });
  const held: Socket[] = [];
  t.after(async () => {
    for (const socket of held) socket.destroy();
    await server.close();
  });
  // The defaults a slow-loris meets: 20 s for headers, 60 s of body silence (not 600 s).
  assert.equal(server.berth.app.server.headersTimeout, 20_000);
  assert.equal(server.berth.app.server.timeout, 60_000);
  for (let i = 0; i < 5; i++) held.push(await open(server));
  const sixth = await open(server);
  held.push(sixth);
  assert.ok((await secondsUntilClosed(sixth, 5)) < 2, 'the sixth connection from 127.0.0.1 is closed at once');
  for (const socket of held.slice(0, 5)) assert.equal(socket.destroyed, false, 'the first five stay open');

  const other = await open(server, '127.0.0.2');
  held.push(other);
  const answer = new Promise<string>((resolve) => {
    let text = '';
    other.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\r\n\r\n')) resolve(text);
    });
  });
  other.write(`GET /api/v2.0/ping HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n\r\n`);
  assert.match(await answer, /^HTTP\/1\.1 200 /, 'another address is served');

  held[0].destroy();
  await sleep(100);
  const again = await open(server);
  held.push(again);
  assert.equal(await secondsUntilClosed(again, 1), 1, 'a closed connection frees its slot');
});
