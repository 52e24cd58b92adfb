/**
 * What a call writes to a stream (stdout, stderr), for the tests that assert a command's printed
 * usage or progress; the stream writes as before afterwards, whatever the call does.
 */
export async function capturedWrites<T>(stream: NodeJS.WriteStream, call: () => Promise<T>): Promise<{ result: T; written: string }> {
  const chunks: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof stream.write;
  try {
    const result = await call();
    return { result, written: chunks.join("") };
  } finally {
    stream.write = write;
  }
}
