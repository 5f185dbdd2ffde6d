// The service worker: registration, keeping the field pages for offline use, and updates that
// wait until no form is half-filled and no sync runs.

export async function register() {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch (error) {
    return null;
  }
}

/** Ask the worker to keep this user's field pages (called when a field page loads online). */
export async function keepPages() {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  if (registration.active) registration.active.postMessage({ type: 'cache-pages' });
}

/** Forget the signed-in user's pages (on sign-out, on a shared phone); resolves once the
 * worker has (or after 5 s without an answer). */
export function forgetPages() {
  const worker = 'serviceWorker' in navigator && navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(resolve, 5000);
    channel.port1.onmessage = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.postMessage({ type: 'forget-pages' }, [channel.port2]);
  });
}

/**
 * Show "Update available" when a new worker waits. Applying it reloads the page, so it is only
 * done when `isSafe()` (no half-filled form, no sync running); otherwise it says why and waits.
 */
export function watchForUpdates(registration, { button, isSafe, onBlocked }) {
  if (!registration || !button) return;
  // Reload only for an update this page applied: the first worker taking control needs none.
  let updating = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!updating) return;
    updating = false;
    window.location.reload();
  });
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) button.hidden = false;
  };
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed') offer();
    });
  });
  button.addEventListener('click', () => {
    if (!registration.waiting) return;
    if (!isSafe()) {
      onBlocked();
      return;
    }
    updating = true;
    registration.waiting.postMessage({ type: 'skip-waiting' });
  });
  offer();
}

let persistAsked = false;

/** After the first save, ask the browser not to clear the outbox under storage pressure. */
export async function askPersistentStorage() {
  if (persistAsked || !navigator.storage || !navigator.storage.persist) return;
  persistAsked = true;
  try {
    if (!(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch (error) {
    // Refused or unsupported: the outbox still works.
  }
}
