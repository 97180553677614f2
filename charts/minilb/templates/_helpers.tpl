{{/* Names: a release called "minilb" gets exactly examples/deploy's object names. */}}
{{- define "minilb.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "minilb.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "minilb.labels" -}}
{{ include "minilb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "minilb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The ServiceAccount minilb runs as: its own, or CoreDNS's in sidecar mode. */}}
{{- define "minilb.serviceAccountName" -}}
{{- if eq .Values.mode "coredns-sidecar" -}}{{ .Values.coredns.serviceAccount }}{{- else -}}{{ include "minilb.fullname" . }}{{- end -}}
{{- end -}}

{{- define "minilb.serviceAccountNamespace" -}}
{{- if eq .Values.mode "coredns-sidecar" -}}{{ .Values.coredns.namespace }}{{- else -}}{{ .Release.Namespace }}{{- end -}}
{{- end -}}

{{/* minilb-server's flags, as one JSON list; a flag is passed only when its value is set. */}}
{{- define "minilb.args" -}}
{{- $v := .Values -}}
{{- $args := list -}}
{{- if eq $v.mode "coredns-sidecar" -}}
{{- $args = append $args (printf "-listen=%s" $v.coredns.listen) -}}
{{- $args = append $args (printf "-health=:%d" (int $v.coredns.healthPort)) -}}
{{- else -}}
{{- $args = append $args "-listen=:53" -}}
{{- $args = append $args "-health=:8080" -}}
{{- end -}}
{{- $args = append $args (printf "-domain=%s" $v.domain) -}}
{{- if eq $v.mode "coredns-sidecar" -}}
{{- $args = append $args (printf "-lease-namespace=%s" $v.coredns.namespace) -}}
{{- end -}}
{{- if not (kindIs "invalid" $v.lbClass) -}}{{- $args = append $args (printf "-lb-class=%s" $v.lbClass) -}}{{- end -}}
{{- if not (kindIs "invalid" $v.ttl) -}}{{- $args = append $args (printf "-ttl=%d" (int $v.ttl)) -}}{{- end -}}
{{- if $v.upstream.servers -}}{{- $args = append $args (printf "-upstream=%s" (join "," $v.upstream.servers)) -}}{{- end -}}
{{- if $v.upstream.allowFrom -}}{{- $args = append $args (printf "-upstream-allow=%s" (join "," $v.upstream.allowFrom)) -}}{{- end -}}
{{- if not $v.leaderElection.enabled -}}{{- $args = append $args "-leader-elect=false" -}}{{- end -}}
{{- if not (kindIs "invalid" $v.leaderElection.leaseName) -}}{{- $args = append $args (printf "-lease-name=%s" $v.leaderElection.leaseName) -}}{{- end -}}
{{- range $v.extraArgs -}}{{- $args = append $args . -}}{{- end -}}
{{- toJson $args -}}
{{- end -}}

{{/* The pod securityContext both workloads share: non-root, and port 53 by sysctl. */}}
{{- define "minilb.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile: { type: RuntimeDefault }
sysctls:
  - { name: net.ipv4.ip_unprivileged_port_start, value: "53" }
{{- end -}}

{{- define "minilb.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: { drop: [ALL] }
{{- end -}}

{{/* The distinct ports of upstream.servers ("192.0.2.53:53", "[2001:db8::53]:5353"). */}}
{{- define "minilb.upstreamPorts" -}}
{{- $ports := list -}}
{{- range .Values.upstream.servers -}}
{{- $ports = append $ports (splitList ":" . | last | int) -}}
{{- end -}}
{{- toJson ($ports | uniq) -}}
{{- end -}}
