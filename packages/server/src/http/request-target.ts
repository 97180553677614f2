// Splits an HTTP request target into path and query without WHATWG URL parsing: `new URL('//',
// base)` reads `//` as an authority and throws, and a probe port must never throw on a path.

export interface RequestTarget {
  path: string;
  query: URLSearchParams;
}

export function parseRequestTarget(target: string | undefined): RequestTarget {
  const text = target ?? '/';
  const mark = text.indexOf('?');
  const path = mark < 0 ? text : text.slice(0, mark);
  // URLSearchParams never throws: bad percent-escapes stay as they are.
  return { path, query: new URLSearchParams(mark < 0 ? '' : text.slice(mark + 1)) };
}
