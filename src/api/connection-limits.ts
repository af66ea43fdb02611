import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// Limits that keep slow or greedy clients from holding sockets: a deadline for the request
// headers, an idle deadline for a request body, and a cap on open connections per address.

export interface ConnectionLimits {
  headersTimeoutSeconds: number;
  bodyTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
  /** 0 = unlimited. Counted by socket address: behind a proxy, every connection is the proxy's. */
  maxConnectionsPerAddress: number;
}

/** Options for http(s).createServer: how often node checks the headers deadline. */
export function serverTimeoutOptions(limits: ConnectionLimits): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  const headersTimeout = limits.headersTimeoutSeconds * 1000;
  // requestTimeout stays 0: a large blob may stream for as long as bytes keep coming.
  return { headersTimeout, requestTimeout: 0, connectionsCheckingInterval: Math.min(1000, headersTimeout) };
}

export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersTimeoutSeconds * 1000;
  server.keepAliveTimeout = limits.keepAliveTimeoutSeconds * 1000;
  server.setTimeout(limits.bodyTimeoutSeconds * 1000);
  spareBusySockets(server);
  if (limits.maxConnectionsPerAddress > 0) capConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
}

/**
 * Node's socket inactivity timeout ends idle bodies; a socket whose request is fully read and
 * whose response is still being prepared (a slow storage call) is the server's wait, not the client's.
 */
function spareBusySockets(server: Server): void {
  const current = new WeakMap<Socket, { request: IncomingMessage; response: ServerResponse }>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    current.set(request.socket, { request, response }),
  );
  server.on('timeout', (socket: Socket) => {
    const exchange = current.get(socket);
    if (exchange && exchange.request.complete && !exchange.response.writableEnded) return;
    socket.destroy();
  });
}

function capConnectionsPerAddress(server: Server, max: number): void {
  // Keyed by the addresses of open sockets only: an entry goes when its last socket closes.
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
