// A TCP proxy on 127.0.0.1 in front of a real server that can turn into a black hole: from
// holeAll() on it reads and discards what either side sends and forwards nothing, WITHOUT
// closing any socket. That is what a dead route, a crashed NAT box or a suspended VM looks
// like to the client: no FIN, no RST, just silence (unlike CuttableProxy.cutAll in sshd.ts).
import { connect, createServer, type Socket } from 'node:net';

export interface BlackHoleProxy {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** When the server's last bytes were passed on to the client (Date.now()): the client's last sign of life from it. */
  lastToClientAt: number;
  /** Stop forwarding in both directions on every open and future connection; sockets stay open. */
  holeAll(): void;
  close(): Promise<void>;
}

export function startBlackHoleProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<BlackHoleProxy> {
  const sockets = new Set<Socket>();
  let holed = false;
  const proxy: BlackHoleProxy = {
    port: 0,
    accepted: 0,
    lastToClientAt: 0,
    holeAll: () => {
      holed = true;
    },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  const server = createServer((client) => {
    proxy.accepted++;
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        // One side closing for real (not the black hole) closes the other, like a plain proxy.
        if (!holed) (s === client ? upstream : client).destroy();
      });
    }
    // Read and drop while holed, so nothing backs up into the sender's TCP window either.
    client.on('data', (d: Buffer) => {
      if (!holed) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (holed) return;
      proxy.lastToClientAt = Date.now();
      client.write(d);
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      proxy.port = typeof a === 'object' && a ? a.port : 0;
      resolve(proxy);
    });
  });
}
