// A response body read up to a size limit. The per-request deadline bounds how long a body may take,
// not how big it gets: on loopback or a fast link a hostile API can stream gigabytes before it, and
// arrayBuffer() would hold them all. So the body is read chunk by chunk and refused past the limit.
import { SourceError } from '../errors.js';
import { mask } from '../secrets.js';
import { formatSize } from '../config/config-file.js';

/** The body's bytes; a SourceError (not retried: the same page comes back as big) once it passes `maxBytes`. */
export async function readBodyWithin(response: Response, maxBytes: number, url: URL): Promise<Buffer> {
  const tooLarge = (what: string) =>
    new SourceError(
      `${mask(url.href)}: HTTP ${response.status}: ${what} max_response_size ${limitText(maxBytes)}; ` +
        'stopping instead of reading it into memory (raise source.max_response_size if the API really sends pages that large)',
    );
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(`the response says it is ${formatSize(declared)}, more than`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge('the response went on past');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** 100000000 -> "100 MB", 1500 -> "1.5 KB". */
function limitText(bytes: number): string {
  return bytes >= 1e9 ? `${bytes / 1e9} GB` : bytes >= 1e6 ? `${bytes / 1e6} MB` : `${bytes / 1e3} KB`;
}
