{{/* Names: the release name when it already says "berth", else <release>-berth. */}}
{{- define "berth.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "berth.core" -}}{{ include "berth.fullname" . }}-core{{- end -}}
{{- define "berth.jobservice" -}}{{ include "berth.fullname" . }}-jobservice{{- end -}}
{{- define "berth.database" -}}{{ include "berth.fullname" . }}-database{{- end -}}
{{- define "berth.redis" -}}{{ include "berth.fullname" . }}-redis{{- end -}}
{{- define "berth.config" -}}{{ include "berth.fullname" . }}-config{{- end -}}
{{- define "berth.storageSecret" -}}{{ include "berth.fullname" . }}-storage{{- end -}}
{{- define "berth.ingressTls" -}}{{ include "berth.fullname" . }}-ingress{{- end -}}

{{/* Labels every object carries. */}}
{{- define "berth.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "core"). */}}
{{- define "berth.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "berth.componentLabels" -}}
{{ include "berth.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "berth.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Berth serves HTTPS itself when TLS is on and no ingress ends it. */}}
{{- define "berth.serverTls" -}}
{{- if and .Values.expose.tls.enabled (ne .Values.expose.type "ingress") -}}true{{- end -}}
{{- end -}}

{{- define "berth.containerPort" -}}
{{- if include "berth.serverTls" . -}}8443{{- else -}}8080{{- end -}}
{{- end -}}

{{- define "berth.scheme" -}}
{{- if include "berth.serverTls" . -}}HTTPS{{- else -}}HTTP{{- end -}}
{{- end -}}

{{/* Harbor's log levels → Berth's (pino) levels. */}}
{{- define "berth.logLevel" -}}
{{- $level := .Values.logLevel | lower -}}
{{- if eq $level "warning" -}}warn{{- else if has $level (list "fatal" "error" "warn" "info" "debug" "trace") -}}{{ $level }}{{- else -}}
{{- fail (printf "logLevel: %q is not one of debug, info, warning, error, fatal" .Values.logLevel) -}}
{{- end -}}
{{- end -}}

{{/* The jobservice claim: harbor-helm 1.10+ nests it under jobLog, 1.x (the seed) does not. */}}
{{- define "berth.jobserviceClaimValues" -}}
{{- $pvc := .Values.persistence.persistentVolumeClaim.jobservice -}}
{{- toYaml (default $pvc $pvc.jobLog) -}}
{{- end -}}

{{/* Name of the PVC a component mounts: (dict "root" $ "pvc" <values> "name" "registry"). */}}
{{- define "berth.claimName" -}}
{{- default (printf "%s-%s" (include "berth.fullname" .root) .name) .pvc.existingClaim -}}
{{- end -}}

{{- define "berth.storageType" -}}
{{- $type := .Values.persistence.imageChartStorage.type -}}
{{- if not (has $type (list "filesystem" "s3" "oss")) -}}
{{- fail (printf "persistence.imageChartStorage.type: %q is not supported by Berth (filesystem, s3, oss)" $type) -}}
{{- end -}}
{{- $type -}}
{{- end -}}

{{/* A value kept across upgrades: the key of the live Secret if it exists, else the generated one. */}}
{{- define "berth.kept" -}}
{{- $secret := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if and $secret $secret.data (hasKey $secret.data .key) -}}
{{- index $secret.data .key | b64dec -}}
{{- else -}}
{{- .generated -}}
{{- end -}}
{{- end -}}

{{/* Pod-level settings shared by core, jobservice and the migration Job. */}}
{{- define "berth.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
automountServiceAccountToken: false
{{- end -}}

{{/* Environment of every Berth container: secrets come in as BERTH_* variables. */}}
{{- define "berth.env" -}}
- name: BERTH_ADMIN_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default (include "berth.core" .) .Values.existingSecretAdminPassword }}
      key: {{ ternary .Values.existingSecretAdminPasswordKey "HARBOR_ADMIN_PASSWORD" (ne .Values.existingSecretAdminPassword "") }}
- name: BERTH_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ default (include "berth.core" .) .Values.existingSecretSecretKey }}
      key: secretKey
- name: BERTH_AUTH_TOKEN_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ default (include "berth.core" .) .Values.core.secretName }}
      key: tls.key
{{- if and (eq .Values.database.type "external") .Values.database.external.existingSecret }}
{{- $db := .Values.database.external }}
- name: EXTERNAL_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $db.existingSecret }}
      key: password
- name: BERTH_DATABASE_URL
  value: {{ printf "postgres://%s:$(EXTERNAL_DATABASE_PASSWORD)@%s:%v/%s?sslmode=%s" (urlquery $db.username) $db.host $db.port $db.coreDatabase $db.sslmode | quote }}
{{- else }}
- name: BERTH_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "berth.database" . }}
      key: BERTH_DATABASE_URL
{{- end }}
{{- if eq .Values.redis.type "internal" }}
- name: BERTH_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "berth.redis" . }}
      key: REDIS_PASSWORD
{{- else if or .Values.redis.external.existingSecret .Values.redis.external.password }}
- name: BERTH_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default (include "berth.redis" .) .Values.redis.external.existingSecret }}
      key: REDIS_PASSWORD
{{- end }}
{{- $storage := include "berth.storageType" . }}
{{- $s3 := .Values.persistence.imageChartStorage.s3 }}
{{- $oss := .Values.persistence.imageChartStorage.oss }}
{{- if or (and (eq $storage "s3") (or $s3.existingSecret $s3.accesskey)) (eq $storage "oss") }}
{{- $s3Secret := ternary (default (include "berth.storageSecret" .) $s3.existingSecret) (default (include "berth.storageSecret" .) $oss.existingSecret) (eq $storage "s3") }}
{{- if eq $storage "s3" }}
- name: BERTH_STORAGE_S3_ACCESSKEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3Secret }}
      key: REGISTRY_STORAGE_S3_ACCESSKEY
- name: BERTH_STORAGE_S3_SECRETKEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3Secret }}
      key: REGISTRY_STORAGE_S3_SECRETKEY
{{- else }}
- name: BERTH_STORAGE_S3_ACCESSKEY
  value: {{ $oss.accesskeyid | quote }}
- name: BERTH_STORAGE_S3_SECRETKEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3Secret }}
      key: REGISTRY_STORAGE_OSS_ACCESSKEYSECRET
{{- end }}
{{- end }}
{{- end -}}

{{/* Berth's redis.url: redis://[user@]host:port/<db>; with Sentinel the sentinels' addresses
(redis.sentinelMasterSet names the master). The password comes separately (redis.password). */}}
{{- define "berth.redisUrl" -}}
{{- $r := .Values.redis -}}
{{- if eq $r.type "internal" -}}
{{- printf "redis://%s:6379/0" (include "berth.redis" .) -}}
{{- else -}}
{{- $user := "" -}}
{{- with $r.external.username }}{{ $user = printf "%s@" (urlquery .) }}{{ end -}}
{{- printf "redis://%s%s/%v" $user (required "redis.external.addr is required" $r.external.addr) $r.external.coreDatabaseIndex -}}
{{- end -}}
{{- end -}}

{{/* Mounts of a Berth container: (dict "root" $ "dataSubPath" "..." "dataVolume" "data|registry"). */}}
{{- define "berth.volumeMounts" -}}
- name: config
  mountPath: /etc/berth
  readOnly: true
- name: tmp
  mountPath: /tmp
- name: {{ default "data" .dataVolume }}
  mountPath: /var/lib/berth
  {{- with .dataSubPath }}
  subPath: {{ . }}
  {{- end }}
{{- if eq (include "berth.storageType" .root) "filesystem" }}
- name: registry
  mountPath: {{ .root.Values.persistence.imageChartStorage.filesystem.rootdirectory }}
  {{- with .root.Values.persistence.persistentVolumeClaim.registry.subPath }}
  subPath: {{ . }}
  {{- end }}
{{- end }}
{{- if include "berth.serverTls" .root }}
- name: server-tls
  mountPath: /etc/berth-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Volumes of a Berth pod: (dict "root" $ "dataClaim" "<claim or empty>" "dataVolume" "data|registry");
one volume per claim: a claim shared with registry storage (the seed's NAS) is mounted twice, not attached twice. */}}
{{- define "berth.volumes" -}}
- name: config
  configMap:
    name: {{ include "berth.config" .root }}
- name: tmp
  emptyDir: {}
{{- if ne (default "data" .dataVolume) "registry" }}
- name: data
  {{- if .dataClaim }}
  persistentVolumeClaim:
    claimName: {{ .dataClaim }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- if eq (include "berth.storageType" .root) "filesystem" }}
- name: registry
  {{- if .root.Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "berth.claimName" (dict "root" .root "pvc" .root.Values.persistence.persistentVolumeClaim.registry "name" "registry") }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- if include "berth.serverTls" .root }}
- name: server-tls
  secret:
    secretName: {{ include "berth.serverTlsSecret" .root }}
{{- end }}
{{- end -}}

{{/* Secret with Berth's own HTTPS certificate (types other than ingress). */}}
{{- define "berth.serverTlsSecret" -}}
{{- $tls := .Values.expose.tls -}}
{{- if eq $tls.certSource "secret" -}}
{{- required "expose.tls.secret.secretName is required when expose.tls.certSource is secret" $tls.secret.secretName -}}
{{- else if eq $tls.certSource "auto" -}}
{{- printf "%s-tls" (include "berth.fullname" .) -}}
{{- else -}}
{{- fail (printf "expose.tls.certSource: %q needs expose.type ingress; use auto or secret with %s" $tls.certSource .Values.expose.type) -}}
{{- end -}}
{{- end -}}

{{/* Probe on /api/v2.0/ping: (dict "root" $ "probe" <values>). */}}
{{- define "berth.probe" -}}
httpGet:
  path: /api/v2.0/ping
  port: http
  scheme: {{ include "berth.scheme" .root }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
successThreshold: {{ .probe.successThreshold }}
{{- end -}}

{{/* storageClassName of a claim: "" = the default class (field omitted), "-" = none. */}}
{{- define "berth.storageClass" -}}
{{- if eq .storageClass "-" -}}
storageClassName: ""
{{- else if .storageClass -}}
storageClassName: {{ .storageClass | quote }}
{{- end -}}
{{- end -}}

{{/* The metrics port of a component (dict "root" . "component" "core"|"jobservice"), or nothing when
Prometheus does not scrape Berth. Berth then serves /metrics only there, in plain HTTP. */}}
{{- define "berth.metricsPort" -}}
{{- $metrics := .root.Values.metrics -}}
{{- if or $metrics.enabled $metrics.serviceMonitor.enabled -}}
{{- int (index $metrics .component).port -}}
{{- end -}}
{{- end -}}
