// Bundle-time stand-in for undici's index in the server: minilb uses its Agent and request()
// only. The index loads every dispatcher, fetch, WebSocket, the cache and the mocks (CommonJS,
// so none of it tree-shakes): 19 MiB RSS against 11 for the three modules below.
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import apiRequest from 'undici/lib/api/api-request.js';

// What undici's index does for every dispatcher (Object.assign(Dispatcher.prototype, api)).
Dispatcher.prototype.request ??= apiRequest;

export { Agent };

// undici's request(url, { dispatcher, ...options }), as the index builds it from a URL.
export function request(url, { dispatcher, ...options }) {
  const { origin, pathname, search } = new URL(url);
  return dispatcher.request({ method: 'GET', ...options, origin, path: `${pathname}${search}` });
}
