// Kubernetes MicroTime (Lease renewTime, Event eventTime): RFC 3339 with exactly six fractional
// digits, as the API server requires; a plain Date's three are rejected.
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
