{{/* The pod both workloads run: examples/deploy's 20-deployment.yaml and 30-daemonset-hostport.yaml. */}}
{{- define "minilb.podSpec" -}}
{{- $daemonset := eq .Values.mode "daemonset" -}}
serviceAccountName: {{ include "minilb.serviceAccountName" . }}
# Kubelet would inject MINILB_PORT, MINILB_SERVICE_HOST... for a Service named minilb;
# minilb reads MINILB_* variables as flags.
enableServiceLinks: false
# SIGTERM starts minilb's lame duck: /healthz 503 at once, DNS answered for -lameduck (3 s),
# then in-flight answers finish (cut 4.5 s later at worst); 10 s covers both.
terminationGracePeriodSeconds: 10
{{- if not $daemonset }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "minilb.selectorLabels" . | nindent 12 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "minilb.podSecurityContext" . | nindent 2 }}
containers:
  - name: minilb
    image: {{ include "minilb.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args: {{ include "minilb.args" . }}
    env:
      - name: POD_NAMESPACE
        valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
      # ns.<domain> (the zone's NS) answers the node's addresses, where the nodePort or
      # hostPort answers; resolvers that prime the NS set (Unbound stub-prime) need one.
      - name: MINILB_NS_ADDRESS
        valueFrom: { fieldRef: { fieldPath: status.hostIPs } }
    ports:
      {{- if $daemonset }}
      - { name: dns-udp, containerPort: 53, hostPort: 53, protocol: UDP }
      - { name: dns-tcp, containerPort: 53, hostPort: 53, protocol: TCP }
      {{- else }}
      - { name: dns-udp, containerPort: 53, protocol: UDP }
      - { name: dns-tcp, containerPort: 53, protocol: TCP }
      {{- end }}
      - { name: http, containerPort: 8080, protocol: TCP }
    readinessProbe:
      httpGet: { path: /healthz, port: http }
      periodSeconds: 5
    livenessProbe:
      httpGet: { path: /healthz, port: http }
      initialDelaySeconds: 10
      periodSeconds: 20
    resources:
      {{- toYaml .Values.resources | nindent 6 }}
    securityContext:
      {{- include "minilb.containerSecurityContext" . | nindent 6 }}
{{- end -}}
