// mask() must find a secret in every encoding it travels in: a hostile server echoes what it got, in a
// query string, a JSON error body or an HTML page, and any of those can reach a log line or a table.
import { describe, expect, test } from 'vitest';
import { mask, maskedSnippet, registerBasicAuth, registeredSecrets, registerSecret } from '../../src/secrets.js';

// Every reserved character of RFC 3986, the ones encodeURIComponent and form encoding treat differently
// (space, !'()*~), JSON's and HTML's specials, and a character outside ASCII.
const SECRET = ` :/?#[]@!$&'()*+,;=%"\\~<>é-end`;
const USER = 'svc-user';
registerSecret(SECRET);
registerBasicAuth(USER, SECRET);

const base64 = (text: string, encoding: BufferEncoding = 'base64') => Buffer.from(text).toString(encoding);
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const json = (text: string) => JSON.stringify(text).slice(1, -1);
const everyCharAsJsonEscape = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('mask() finds a secret in every encoding', () => {
  test.each<[string, string]>([
    ['as is', SECRET],
    ['encodeURIComponent', encodeURIComponent(SECRET)],
    ['encodeURI', encodeURI(SECRET)],
    ['form encoding (URLSearchParams: "+" for a space, !\'()~ encoded)', new URLSearchParams({ k: SECRET }).toString().slice(2)],
    ['in a URL built with searchParams.set', (() => {
      const url = new URL('https://api.example.com/v1');
      url.searchParams.set('k', SECRET);
      return url.search.slice(3);
    })()],
    ['percent-encoded with lower-case hex', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['percent-encoded twice', encodeURIComponent(encodeURIComponent(SECRET))],
    ['every character percent-encoded', [...Buffer.from(SECRET)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')],
    ['JSON-escaped', json(SECRET)],
    ['JSON-escaped twice (JSON in a JSON string)', json(json(SECRET))],
    ['JSON with every character as \\u', everyCharAsJsonEscape(SECRET)],
    ['HTML-escaped', html(SECRET)],
    ['JSON-escaped, then HTML-escaped', html(json(SECRET))],
    ['base64 of user:password (the basic auth header)', base64(`${USER}:${SECRET}`)],
    ['base64url of user:password', base64(`${USER}:${SECRET}`, 'base64url')],
    ['base64 of user:password, URL-encoded', encodeURIComponent(base64(`${USER}:${SECRET}`))],
  ])('%s', (_name, encoded) => {
    expect(encoded).not.toBe('');
    expect(mask(`before ${encoded} after`)).toBe('before *** after');
  });

  test.each<[string, string]>([
    ['base64 of the password alone', base64(SECRET)],
    ['base64 of the password at the start of a longer text', base64(`${SECRET}and more bytes after it`)],
  ])('%s: the part the password decides is masked', (_name, encoded) => {
    const masked = mask(encoded);
    expect(masked.startsWith('***')).toBe(true);
    // What is left is at most the characters that also depend on what follows the password.
    expect(masked.length - 3).toBeLessThanOrEqual(encoded.length - Math.floor((Buffer.byteLength(SECRET) * 8) / 6));
  });

  // Any credential, not only basic auth's password: a server that decodes a header and re-encodes what it got.
  const TOKEN = `tok${SECRET}-bearer`;
  registerSecret(TOKEN);
  test.each<[string, string]>([
    ['base64 of a token', base64(TOKEN)],
    ['base64url of a token', base64(TOKEN, 'base64url')],
    ['base64 of a token after one other byte', base64(`x${TOKEN}`)],
    ['base64 of a token after two other bytes', base64(`xy${TOKEN}`)],
    ['base64 of a token inside a longer text', base64(`{"authorization":"Bearer ${TOKEN}","at":1}`)],
  ])('%s: all of its base64 that the token alone decides is masked', (_name, encoded) => {
    const masked = mask(encoded);
    expect(masked.split('***')).toHaveLength(2);
    // Left: the text around the token, and at most one character at each end that also holds a neighbour's bits.
    const decided = Math.floor((Buffer.byteLength(TOKEN) * 8) / 6) - 2;
    expect(masked.length - 3).toBeLessThanOrEqual(encoded.length - decided);
  });

  test('a secret that contains another is masked whole', () => {
    registerSecret('inner-secret');
    registerSecret('outer-inner-secret-long');
    expect(mask('x outer-inner-secret-long y inner-secret z')).toBe('x *** y *** z');
  });

  test('registeredSecrets lists the literal encodings for masks that match text as is (the runner)', () => {
    const listed = registeredSecrets();
    for (const form of [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ k: SECRET }).toString().slice(2), json(SECRET), base64(`${USER}:${SECRET}`)]) {
      expect(listed).toContain(form);
    }
  });
});

describe('maskedSnippet', () => {
  test('masks before it cuts, so a secret at the cut is not shown in part', () => {
    const body = `${'x'.repeat(195)}${SECRET}`;
    const snippet = maskedSnippet(body);
    expect(snippet).toBe(`${'x'.repeat(195)}***`);
  });

  test('a body longer than what it decodes loses the tail where a secret may be cut', () => {
    const body = Buffer.from(`${' '.repeat(8190)}${SECRET}`);
    expect(maskedSnippet(body)).toBe('(empty body)');
  });

  test('a secret with a space is masked even where the body has a line break instead', () => {
    registerSecret('two words-secret');
    expect(maskedSnippet('{"error": "bad key two\n  words-secret"}')).toBe('{"error": "bad key ***"}');
  });
});
