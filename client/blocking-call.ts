/**
 * A synchronous call into a worker thread that does asynchronous work (socket I/O): the caller
 * writes a JSON request into shared memory and sleeps in Atomics.wait until the worker, which
 * waits with Atomics.waitAsync so that its own event loop keeps running, writes the reply.
 * Typed arrays travel as plain arrays.
 */

/** Int32 slots: request counter, reply counter, byte length of the message in `data`. */
export const SLOT = { request: 0, reply: 1, length: 2 } as const;

export interface Channel {
  control: Int32Array;
  data: Uint8Array;
}

export function allocateChannel(bytes: number): { buffer: SharedArrayBuffer; control: SharedArrayBuffer } {
  return { buffer: new SharedArrayBuffer(bytes), control: new SharedArrayBuffer(3 * 4) };
}

export function attachChannel(buffers: { buffer: SharedArrayBuffer; control: SharedArrayBuffer }): Channel {
  return { control: new Int32Array(buffers.control), data: new Uint8Array(buffers.buffer) };
}

export function writeMessage(ch: Channel, value: unknown): void {
  const bytes = new TextEncoder().encode(
    JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
  );
  if (bytes.length > ch.data.length)
    throw new RangeError(`a message of ${bytes.length} bytes does not fit the ${ch.data.length}-byte channel`);
  ch.data.set(bytes);
  Atomics.store(ch.control, SLOT.length, bytes.length);
}

export function readMessage(ch: Channel): unknown {
  const length = Atomics.load(ch.control, SLOT.length);
  return JSON.parse(new TextDecoder().decode(ch.data.slice(0, length)));
}

/** Sends a request and blocks until its reply, or throws after `timeoutMs` of silence. */
export function callBlocking(ch: Channel, request: unknown, timeoutMs: number): unknown {
  writeMessage(ch, request);
  const id = Atomics.add(ch.control, SLOT.request, 1) + 1;
  Atomics.notify(ch.control, SLOT.request);
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(ch.control, SLOT.reply) !== id) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no reply from the remote env's thread in ${timeoutMs} ms`);
    Atomics.wait(ch.control, SLOT.reply, Atomics.load(ch.control, SLOT.reply), left);
  }
  return readMessage(ch);
}
