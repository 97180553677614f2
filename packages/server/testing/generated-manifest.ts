// Large manifests for the reload tests and the benchmark: `count` LoadBalancer Services, each
// with one IPv4 EndpointSlice, in a generation whose addresses differ from every other one's.

export function serviceName(i: number): string {
  return `svc-${i}`;
}

// The ready pod addresses Service i has in `generation` (two per Service).
export function generatedAddresses(i: number, generation: number): string[] {
  return [0, 1].map((pod) => `10.${(generation * 2 + pod) % 250}.${(i >> 8) & 255}.${i & 255}`);
}

export function generatedManifest(count: number, generation = 0, namespace = 'load'): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = serviceName(i);
    docs.push(
      `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
  creationTimestamp: "2026-01-01T00:00:00Z"
  labels: {app: ${name}, generation: "${generation}"}
spec:
  type: LoadBalancer
  loadBalancerClass: minilb
  ports:
  - {name: http, port: 80, targetPort: 8080, protocol: TCP}`,
      `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-abcde
  namespace: ${namespace}
  labels: {kubernetes.io/service-name: ${name}}
addressType: IPv4
ports:
- {name: http, port: 8080, protocol: TCP}
endpoints:
${generatedAddresses(i, generation)
  .map((ip, pod) => `- addresses: [${ip}]\n  conditions: {ready: true, serving: true, terminating: false}\n  nodeName: node-${pod}\n  targetRef: {kind: Pod, name: ${name}-pod-${pod}, namespace: ${namespace}}`)
  .join('\n')}`,
    );
  }
  return `${docs.join('\n---\n')}\n`;
}
