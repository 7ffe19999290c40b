// Every secret the engine reads is registered here, and every line it prints passes through mask().
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; a real secret is longer.
  if (value && value.length >= 4) secrets.add(value);
}

export function mask(text: string): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('***');
  }
  return out;
}

export function registeredSecrets(): string[] {
  return [...secrets];
}
