// prom-client ships no types for its per-metric modules; each registers its metrics on a registry.
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';
  const register: (registry: Registry, config: { prefix?: string }) => void;
  export default register;
}
