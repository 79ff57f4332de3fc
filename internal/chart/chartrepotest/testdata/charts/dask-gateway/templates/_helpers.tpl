{{- define "dask-gateway.name" -}}{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}{{- end -}}
{{- define "dask-gateway.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}{{- end -}}
{{- end -}}
{{- define "dask-gateway.chart" -}}{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}{{- end -}}
{{- define "dask-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dask-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "dask-gateway.labels" -}}
helm.sh/chart: {{ include "dask-gateway.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
gateway.dask.org/instance: {{ include "dask-gateway.fullname" . }}
{{ include "dask-gateway.selectorLabels" . }}
{{- end -}}
{{- define "dask-gateway.apiName" -}}{{ include "dask-gateway.fullname" . | printf "api-%s" | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "dask-gateway.controllerName" -}}{{ include "dask-gateway.fullname" . | printf "controller-%s" | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "dask-gateway.traefikName" -}}{{ include "dask-gateway.fullname" . | printf "traefik-%s" | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "dask-gateway.imagePullSecrets" -}}
{{- with . }}
imagePullSecrets:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end -}}
{{- define "dask-gateway.image" -}}
{{- $tag := .image.tag -}}
{{- if eq $tag "set-by-chartpress" -}}{{- $tag = .root.Chart.AppVersion -}}{{- end -}}
{{ .image.name }}:{{ $tag }}
{{- end -}}
{{- define "dask-gateway.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end -}}
