// Every secret the engine reads is registered here, and every line it prints passes through mask().
// A secret travels in several encodings (in a query string, a JSON error body, an HTML page, a basic-auth
// header), and a hostile server may echo any of them back, so mask() matches each character of a secret
// in every form it can take: as is, percent-encoded (once or more, with either hex case), '+' for a space
// (form encoding), JSON-escaped (once or more), or as an HTML character reference; and every secret's
// base64, as a server that decodes or re-encodes a header may send it back.

/** Each secret with the pattern that finds it in any of its encodings; longest first, so a secret inside another is not masked first. */
const secrets = new Map<string, RegExp>();

export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; a real secret is longer.
  if (!value || value.length < 4 || secrets.has(value)) return;
  addPattern(value);
  // A server that decodes or re-encodes what it got may echo any credential in base64.
  for (const fragment of base64Fragments(value)) addPattern(fragment);
}

/**
 * Basic auth sends base64(`username:password`), masked whole; the password alone is registered too, with
 * its base64 fragments (below), so it is also found inside a longer base64 text.
 */
export function registerBasicAuth(username: string, password: string): void {
  registerSecret(password);
  for (const encoding of ['base64', 'base64url'] as const) addPattern(Buffer.from(`${username}:${password}`).toString(encoding));
}

/**
 * The base64 (and base64url) characters a secret alone decides, at each of the three places it can start
 * in a longer base64 text: a character that also holds bits of a neighbour is left out. Fragments shorter
 * than MIN_FRAGMENT are left out too, as they would mask ordinary words.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const out = new Set<string>();
  for (const offset of [0, 1, 2]) {
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    if (end - first < MIN_FRAGMENT) continue;
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) out.add(padded.toString(encoding).slice(first, end));
  }
  return [...out];
}

const MIN_FRAGMENT = 6;

/** Keeps the patterns longest first, so a secret inside another is not masked first. */
function addPattern(text: string): void {
  if (secrets.has(text)) return;
  secrets.set(text, patternOf(text));
  const sorted = [...secrets].sort(([a], [b]) => b.length - a.length);
  secrets.clear();
  for (const [secret, pattern] of sorted) secrets.set(secret, pattern);
}

export function mask(text: string): string {
  let out = text;
  for (const pattern of secrets.values()) out = out.replace(pattern, '***');
  return out;
}

/**
 * The head of a body (or any long text), masked, for a one-line message. It is masked before it is cut, so
 * a secret is never shown in part; when the body goes on past the part decoded, that part's tail is dropped
 * too, since a secret may begin there.
 */
export function maskedSnippet(body: Buffer | string, length = 200): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  let text = bytes.toString('utf8', 0, SNIPPET_WINDOW);
  if (bytes.length > SNIPPET_WINDOW) text = text.slice(0, -SNIPPET_TAIL);
  // Masked again once flat: folding a line break into a space could spell out a secret with a space in it.
  const flat = mask(mask(text).replace(/\s+/g, ' ').trim());
  return flat.length > length ? `${flat.slice(0, length)}…` : flat || '(empty body)';
}

const SNIPPET_WINDOW = 8192;
const SNIPPET_TAIL = 2048;

/**
 * Each secret in the exact encodings it is most often sent in, for masks that match literal text only
 * (the GitHub runner's setSecret).
 */
export function registeredSecrets(): string[] {
  const out = new Set<string>();
  for (const secret of secrets.keys()) {
    out.add(secret);
    out.add(encodeURIComponent(secret));
    out.add(new URLSearchParams({ s: secret }).toString().slice(2));
    out.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...out];
}

function patternOf(secret: string): RegExp {
  return new RegExp([...secret].map(charForms).join(''), 'g');
}

/** A regular expression for one character of a secret in any of its encodings. */
function charForms(char: string): string {
  const forms = new Set<string>([escapeRegExp(char)]);
  // Percent-encoding of each UTF-8 byte; "%25" is a percent sign encoded again.
  forms.add([...Buffer.from(char)].map((byte) => `%(?:25)*${hexDigits(byte, 2)}`).join(''));
  if (char === ' ') forms.add('\\+');
  // JSON: \" \\ \/ and \uXXXX (per UTF-16 unit), with the backslash itself escaped again in nested JSON.
  if (char === '"' || char === '/') forms.add(`\\\\+${escapeRegExp(char)}`);
  if (char === '\\') forms.add('\\\\+');
  forms.add([...Array(char.length).keys()].map((i) => `\\\\+u${hexDigits(char.charCodeAt(i), 4)}`).join(''));
  const short = JSON_SHORT_ESCAPES[char];
  if (short) forms.add(`\\\\+${short}`);
  // HTML character references, also after a JSON backslash (a JSON text shown in a page).
  const code = char.codePointAt(0)!;
  const html = [`&#0*${code};`, `&#[xX]0*${hexDigits(code, 1)};`, ...(HTML_NAMED[char] ?? []).map((name) => `&${name};`)];
  for (const ref of html) forms.add(char === '"' ? `(?:\\\\+)?${ref}` : ref);
  return `(?:${[...forms].join('|')})`;
}

const JSON_SHORT_ESCAPES: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };
const HTML_NAMED: Record<string, string[]> = { '&': ['amp'], '<': ['lt'], '>': ['gt'], '"': ['quot'], "'": ['apos'] };

/** A number in hex, either case for each digit, e.g. 0x2f -> "2[fF]". */
function hexDigits(n: number, width: number): string {
  return [...n.toString(16).toUpperCase().padStart(width, '0')].map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d)).join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
