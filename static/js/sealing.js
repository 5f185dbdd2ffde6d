// Sealing (issue 16): each record is encrypted to the server's public key the moment it is
// saved, so the phone keeps it only in a form it can never read back; only the server opens it.
//
// Ephemeral-static ECDH on P-256, HKDF-SHA-256, AES-256-GCM, in WebCrypto (no library). One
// ephemeral key pair, and the AES key derived from it, per page load and key id: every record
// of the page load is sealed under it with a fresh 12-byte IV, so the server derives one shared
// secret per page load instead of one per record. The associated data binds the ciphertext to
// the key id, the record id and its author, so it opens for no other id and no other user.
//
// The server's public key ({kid, public_key}: base64url of the 65-byte raw point) comes with
// every field page (`seal_key` in the page's js-catalog) and with GET /api/v1/me; the latest one
// seen is kept in localStorage for pages opened offline.

const KEY_STORE = 'outreach.seal-key';
const VERSION = 'outreach seal v1';
const encoder = new TextEncoder();
// kid → Promise of {epk, aesKey}: made once per page load and key id.
const contexts = new Map();

/** WebCrypto is there only in a secure context (HTTPS, or localhost/127.0.0.1). */
export function available() {
  return Boolean(window.isSecureContext && window.crypto && crypto.subtle);
}

function base64url(bytes) {
  let binary = '';
  new Uint8Array(bytes).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function wellFormed(key) {
  return Boolean(key && typeof key.kid === 'string' && /^[0-9a-f]{16}$/.test(key.kid)
    && typeof key.public_key === 'string' && key.public_key.length > 80);
}

/** Keep `key` (from the page or /api/v1/me) as the one to seal with; ignores anything else. */
export function keep(key) {
  if (!wellFormed(key)) return;
  const text = JSON.stringify({ kid: key.kid, public_key: key.public_key });
  if (localStorage.getItem(KEY_STORE) !== text) localStorage.setItem(KEY_STORE, text);
}

/** Keep the key this page was made with (a page opened online carries the newest). */
export function keepPageKey() {
  const element = document.getElementById('js-catalog');
  try {
    keep(element && JSON.parse(element.textContent).seal_key);
  } catch (error) {
    // No catalog on this page: the kept key stays.
  }
}

/** The key to seal with, or null if this phone has never been given one. */
export function currentKey() {
  try {
    const key = JSON.parse(localStorage.getItem(KEY_STORE));
    return wellFormed(key) ? key : null;
  } catch (error) {
    return null;
  }
}

async function makeContext({ kid, public_key: publicKey }) {
  const algorithm = { name: 'ECDH', namedCurve: 'P-256' };
  const serverKey = await crypto.subtle.importKey(
    'raw', fromBase64url(publicKey), algorithm, false, [],
  );
  const ephemeral = await crypto.subtle.generateKey(algorithm, false, ['deriveBits']);
  const epk = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  const shared = await crypto.subtle.deriveBits(
    { name: 'ECDH', public: serverKey }, ephemeral.privateKey, 256,
  );
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const aesKey = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: epk, info: encoder.encode(`${VERSION} ${kid}`) },
    hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt'],
  );
  return { epk: base64url(epk), aesKey };
}

function contextFor(key) {
  if (!contexts.has(key.kid)) {
    const making = makeContext(key);
    // A key that cannot be used is tried again at the next record, not remembered broken.
    making.catch(() => contexts.delete(key.kid));
    contexts.set(key.kid, making);
  }
  return contexts.get(key.kid);
}

/** Do the once-per-page-load work now (after the page loads), so the first save is quick. */
export function prepare() {
  const key = available() && currentKey();
  if (key) contextFor(key).catch(() => {});
}

export class NoKeyError extends Error {}

/**
 * `{id, sealed: {kid, epk, iv, ct}}` of `record` (with its `id`) made by `username`; rejects
 * with NoKeyError when this phone has no key to seal with.
 */
export async function seal(record, username) {
  const key = currentKey();
  if (!key) throw new NoKeyError('no seal key');
  const { epk, aesKey } = await contextFor(key);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = encoder.encode(`${VERSION}|${key.kid}|${record.id}|${username}`);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData }, aesKey, encoder.encode(JSON.stringify(record)),
  );
  return { id: record.id, sealed: { kid: key.kid, epk, iv: base64url(iv), ct: base64url(ct) } };
}
