{{/*
The image of one values map, as bitnami's common chart renders it: the registry is
global.imageRegistry when set, else the map's own; the tag falls back to the chart's
appVersion; a non-empty digest replaces the tag.
*/}}
{{- define "fixture.image" -}}
{{- $registry := default .image.registry ((.global).imageRegistry) -}}
{{- $end := printf ":%s" (toString (default .chart.AppVersion .image.tag)) -}}
{{- if .image.digest -}}{{- $end = printf "@%s" .image.digest -}}{{- end -}}
{{- if $registry -}}{{ printf "%s/%s%s" $registry .image.repository $end }}{{- else -}}{{ printf "%s%s" .image.repository $end }}{{- end -}}
{{- end -}}
