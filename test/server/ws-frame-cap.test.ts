import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../../src/server/graphql-handler.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

describe('the WebSocket message cap', () => {
  let gw: TestGateway;
  let url: string;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    url = `${gw.gateway.url.replace(/^http/, 'ws')}/graphql`;
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function open(): Promise<WebSocket> {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return socket;
  }

  const closeOf = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

  const connections = () => new Promise<number>((resolve, reject) => gw.gateway.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))));

  /** Waits until the gateway holds `count` connections, or fails after a few seconds. */
  async function connectionsBecome(count: number): Promise<void> {
    for (let attempt = 0; attempt < 50 && (await connections()) !== count; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connections()).toBe(count);
  }

  it('a message over 1 MiB closes the connection with 1009, and the gateway keeps no socket for it', async () => {
    const before = await connections();
    const socket = await open();
    expect(await connections()).toBe(before + 1);
    const closed = closeOf(socket);
    socket.send('x'.repeat(MAX_BODY_BYTES + 1));
    expect(await closed).toBe(1009);
    await connectionsBecome(before);
  });

  it('a message over 1 MiB sent in fragments closes with 1009 too', async () => {
    const socket = await open();
    const closed = closeOf(socket);
    const half = 'x'.repeat(MAX_BODY_BYTES / 2);
    socket.send(half, { fin: false });
    socket.send(half, { fin: false });
    socket.send('x', { fin: true });
    expect(await closed).toBe(1009);
  });

  it('a message of exactly 1 MiB is still read: a padded connection_init is acknowledged', async () => {
    const token = await gw.token('alice');
    const message = (pad: string) => JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}`, pad } });
    const text = message('x'.repeat(MAX_BODY_BYTES - Buffer.byteLength(message(''))));
    expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES);
    const socket = await open();
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(text);
    expect(JSON.parse(await reply)).toEqual({ type: 'connection_ack' });
    const closed = closeOf(socket);
    socket.close(1000);
    expect(await closed).toBe(1000);
  });
});
