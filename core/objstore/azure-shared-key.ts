/**
 * @module core/objstore/azure-shared-key — Azure Storage's Shared Key authorization
 * (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key), Web Crypto
 * only: HMAC-SHA256 with the base64-decoded account key over the string-to-sign, sent as
 * `Authorization: SharedKey <account>:<signature>`.
 */

/** The REST API version we speak (x-ms-version). */
export const AZURE_API_VERSION = '2021-08-06';

/** The standard headers of the string-to-sign, in order (version 2015-02-21 and later). */
const SIGNED_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

/**
 * The string-to-sign of a request: verb, the standard headers (Content-Length empty when 0),
 * the `x-ms-*` headers sorted, and the canonicalized resource: `/<account><path>` then each
 * query parameter, lower-cased and sorted, as `\nname:value`.
 */
export function azureStringToSign(
  method: string,
  url: URL,
  headers: Headers,
  account: string,
): string {
  const std = SIGNED_HEADERS.map((h) => {
    const v = headers.get(h) ?? '';
    return h === 'content-length' && v === '0' ? '' : v;
  });
  const ms: string[] = [];
  headers.forEach((value, name) => {
    if (name.startsWith('x-ms-')) ms.push(`${name}:${value.trim()}`);
  });
  ms.sort();
  const params = new Map<string, string[]>();
  url.searchParams.forEach((value, name) => {
    const k = name.toLowerCase();
    params.set(k, [...(params.get(k) ?? []), value]);
  });
  const query = [...params.keys()]
    .sort()
    .map((k) => `\n${k}:${params.get(k)!.sort().join(',')}`)
    .join('');
  const resource = `/${account}${url.pathname}${query}`;
  return [method.toUpperCase(), ...std, ...ms, resource].join('\n');
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Signs with an account key; one imported HMAC key per signer. */
export class AzureSharedKeySigner {
  readonly account: string;
  readonly #key: Promise<CryptoKey>;

  /** `accountKey` is the base64 key the Azure portal shows. */
  constructor(account: string, accountKey: string) {
    this.account = account;
    this.#key = crypto.subtle.importKey(
      'raw',
      base64ToBytes(accountKey),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
  }

  /** Adds x-ms-date, x-ms-version and Authorization to `headers` for this request. */
  async sign(method: string, url: URL, headers: Headers): Promise<void> {
    headers.set('x-ms-date', new Date().toUTCString());
    headers.set('x-ms-version', AZURE_API_VERSION);
    const text = azureStringToSign(method, url, headers, this.account);
    const mac = await crypto.subtle.sign('HMAC', await this.#key, new TextEncoder().encode(text));
    headers.set('authorization', `SharedKey ${this.account}:${bytesToBase64(new Uint8Array(mac))}`);
  }
}
