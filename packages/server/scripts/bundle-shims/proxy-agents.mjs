// Bundle-time stand-in for the proxy agents KubeConfig builds for `proxy-url` clusters.
// minilb talks to the API server through its own client, which does not use those agents.
class UnsupportedProxyAgent {
  constructor() {
    throw new Error('minilb does not support proxy-url in kubeconfig clusters');
  }
}
export const SocksProxyAgent = UnsupportedProxyAgent;
export const HttpProxyAgent = UnsupportedProxyAgent;
export const HttpsProxyAgent = UnsupportedProxyAgent;
