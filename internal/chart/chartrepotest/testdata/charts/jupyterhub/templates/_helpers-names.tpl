{{- /* Resource names, like z2jh's _helpers-names.tpl: no release prefix unless fullnameOverride is set. */}}
{{- define "jupyterhub.fullname" -}}
{{- if .Values.fullnameOverride -}}{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}
{{- define "jupyterhub.fullname.dash" -}}
{{- if .Values.fullnameOverride -}}{{ include "jupyterhub.fullname" . }}-{{- end -}}
{{- end -}}
{{- define "jupyterhub.hub.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}hub{{- end -}}
{{- define "jupyterhub.hub-serviceaccount.fullname" -}}
{{- if .Values.hub.serviceAccount.create -}}{{ .Values.hub.serviceAccount.name | default (include "jupyterhub.hub.fullname" .) }}{{- else -}}{{ .Values.hub.serviceAccount.name | default "default" }}{{- end -}}
{{- end -}}
{{- define "jupyterhub.hub-existing-secret.fullname" -}}{{- with .Values.hub.existingSecret }}{{ . }}{{- end }}{{- end -}}
{{- define "jupyterhub.hub-existing-secret-or-default.fullname" -}}{{ include "jupyterhub.hub-existing-secret.fullname" . | default (include "jupyterhub.hub.fullname" .) }}{{- end -}}
{{- define "jupyterhub.hub-pvc.fullname" -}}{{ include "jupyterhub.hub.fullname" . }}-db-dir{{- end -}}
{{- define "jupyterhub.proxy.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}proxy{{- end -}}
{{- define "jupyterhub.proxy-api.fullname" -}}{{ include "jupyterhub.proxy.fullname" . }}-api{{- end -}}
{{- define "jupyterhub.proxy-http.fullname" -}}{{ include "jupyterhub.proxy.fullname" . }}-http{{- end -}}
{{- define "jupyterhub.proxy-public.fullname" -}}{{ include "jupyterhub.proxy.fullname" . }}-public{{- end -}}
{{- define "jupyterhub.proxy-public-tls.fullname" -}}{{ include "jupyterhub.proxy-public.fullname" . }}-tls-acme{{- end -}}
{{- define "jupyterhub.proxy-public-manual-tls.fullname" -}}{{ include "jupyterhub.proxy-public.fullname" . }}-manual-tls{{- end -}}
{{- define "jupyterhub.autohttps.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}autohttps{{- end -}}
{{- define "jupyterhub.autohttps-serviceaccount.fullname" -}}
{{- if .Values.proxy.traefik.serviceAccount.create -}}{{ .Values.proxy.traefik.serviceAccount.name | default (include "jupyterhub.autohttps.fullname" .) }}{{- else -}}{{ .Values.proxy.traefik.serviceAccount.name | default "default" }}{{- end -}}
{{- end -}}
{{- define "jupyterhub.user-scheduler-deploy.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}user-scheduler{{- end -}}
{{- define "jupyterhub.user-scheduler-serviceaccount.fullname" -}}
{{- if .Values.scheduling.userScheduler.serviceAccount.create -}}{{ .Values.scheduling.userScheduler.serviceAccount.name | default (include "jupyterhub.user-scheduler-deploy.fullname" .) }}{{- else -}}{{ .Values.scheduling.userScheduler.serviceAccount.name | default "default" }}{{- end -}}
{{- end -}}
{{- define "jupyterhub.user-scheduler.fullname" -}}{{- if .Release.Name -}}{{ .Release.Name }}-user-scheduler{{- else -}}{{ include "jupyterhub.user-scheduler-deploy.fullname" . }}{{- end -}}{{- end -}}
{{- define "jupyterhub.user-scheduler-lock.fullname" -}}{{ include "jupyterhub.user-scheduler-deploy.fullname" . }}-lock{{- end -}}
{{- define "jupyterhub.user-placeholder.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}user-placeholder{{- end -}}
{{- define "jupyterhub.image-puller-priority.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}image-puller{{- end -}}
{{- define "jupyterhub.hook-image-awaiter.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}hook-image-awaiter{{- end -}}
{{- define "jupyterhub.hook-image-awaiter-serviceaccount.fullname" -}}
{{- if .Values.prePuller.hook.serviceAccount.create -}}{{ .Values.prePuller.hook.serviceAccount.name | default (include "jupyterhub.hook-image-awaiter.fullname" .) }}{{- else -}}{{ .Values.prePuller.hook.serviceAccount.name | default "default" }}{{- end -}}
{{- end -}}
{{- define "jupyterhub.hook-image-puller.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}hook-image-puller{{- end -}}
{{- define "jupyterhub.continuous-image-puller.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}continuous-image-puller{{- end -}}
{{- define "jupyterhub.singleuser.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}singleuser{{- end -}}
{{- define "jupyterhub.image-pull-secret.fullname" -}}{{ include "jupyterhub.fullname.dash" . }}image-pull-secret{{- end -}}
{{- define "jupyterhub.ingress.fullname" -}}{{- if (include "jupyterhub.fullname" .) -}}{{ include "jupyterhub.fullname" . }}{{- else -}}jupyterhub{{- end -}}{{- end -}}
{{- define "jupyterhub.priority.fullname" -}}{{- if (include "jupyterhub.fullname" .) -}}{{ include "jupyterhub.fullname" . }}{{- else -}}{{ .Release.Name }}{{- end -}}{{- end -}}
{{- define "jupyterhub.user-placeholder-priority.fullname" -}}{{- if (include "jupyterhub.fullname" .) -}}{{ include "jupyterhub.user-placeholder.fullname" . }}{{- else -}}{{ .Release.Name }}-user-placeholder-priority{{- end -}}{{- end -}}
{{- define "jupyterhub.image-puller-priority.priority" -}}{{- if (include "jupyterhub.fullname" .) -}}{{ include "jupyterhub.image-puller-priority.fullname" . }}{{- else -}}{{ .Release.Name }}-image-puller-priority{{- end -}}{{- end -}}
{{- define "jupyterhub.user-scheduler.schedulerName" -}}{{ include "jupyterhub.user-scheduler.fullname" . }}{{- end -}}
{{- define "jupyterhub.name-templates" -}}
fullname: {{ include "jupyterhub.fullname" . | quote }}
fullname-dash: {{ include "jupyterhub.fullname.dash" . | quote }}
hub: {{ include "jupyterhub.hub.fullname" . | quote }}
hub-serviceaccount: {{ include "jupyterhub.hub-serviceaccount.fullname" . | quote }}
hub-existing-secret: {{ include "jupyterhub.hub-existing-secret.fullname" . | quote }}
hub-existing-secret-or-default: {{ include "jupyterhub.hub-existing-secret-or-default.fullname" . | quote }}
hub-pvc: {{ include "jupyterhub.hub-pvc.fullname" . | quote }}
proxy: {{ include "jupyterhub.proxy.fullname" . | quote }}
proxy-api: {{ include "jupyterhub.proxy-api.fullname" . | quote }}
proxy-http: {{ include "jupyterhub.proxy-http.fullname" . | quote }}
proxy-public: {{ include "jupyterhub.proxy-public.fullname" . | quote }}
proxy-public-tls: {{ include "jupyterhub.proxy-public-tls.fullname" . | quote }}
proxy-public-manual-tls: {{ include "jupyterhub.proxy-public-manual-tls.fullname" . | quote }}
autohttps: {{ include "jupyterhub.autohttps.fullname" . | quote }}
autohttps-serviceaccount: {{ include "jupyterhub.autohttps-serviceaccount.fullname" . | quote }}
user-scheduler-deploy: {{ include "jupyterhub.user-scheduler-deploy.fullname" . | quote }}
user-scheduler-serviceaccount: {{ include "jupyterhub.user-scheduler-serviceaccount.fullname" . | quote }}
user-scheduler: {{ include "jupyterhub.user-scheduler.fullname" . | quote }}
user-scheduler-lock: {{ include "jupyterhub.user-scheduler-lock.fullname" . | quote }}
user-placeholder: {{ include "jupyterhub.user-placeholder.fullname" . | quote }}
image-puller-priority: {{ include "jupyterhub.image-puller-priority.fullname" . | quote }}
hook-image-awaiter: {{ include "jupyterhub.hook-image-awaiter.fullname" . | quote }}
hook-image-awaiter-serviceaccount: {{ include "jupyterhub.hook-image-awaiter-serviceaccount.fullname" . | quote }}
hook-image-puller: {{ include "jupyterhub.hook-image-puller.fullname" . | quote }}
continuous-image-puller: {{ include "jupyterhub.continuous-image-puller.fullname" . | quote }}
singleuser: {{ include "jupyterhub.singleuser.fullname" . | quote }}
image-pull-secret: {{ include "jupyterhub.image-pull-secret.fullname" . | quote }}
ingress: {{ include "jupyterhub.ingress.fullname" . | quote }}
priority: {{ include "jupyterhub.priority.fullname" . | quote }}
user-placeholder-priority: {{ include "jupyterhub.user-placeholder-priority.fullname" . | quote }}
image-puller-priority-name: {{ include "jupyterhub.image-puller-priority.priority" . | quote }}
user-scheduler-name: {{ include "jupyterhub.user-scheduler.schedulerName" . | quote }}
{{- end -}}
