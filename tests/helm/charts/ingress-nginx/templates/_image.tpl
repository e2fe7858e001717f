{{/*
An image map as ingress-nginx renders it: `repository` when set, else registry (the map's,
else global.image.registry) / image; with `chroot`, the image gets a -chroot suffix and
digestChroot is its digest.
*/}}
{{- define "fixture.image" -}}
{{- $i := .image -}}
{{- $name := $i.repository -}}
{{- if not $name -}}{{- $name = printf "%s/%s" (default .global.image.registry $i.registry) $i.image -}}{{- end -}}
{{- $digest := $i.digest -}}
{{- if $i.chroot -}}{{- $name = printf "%s-chroot" $name -}}{{- $digest = $i.digestChroot -}}{{- end -}}
{{- $name }}:{{ $i.tag }}{{ if $digest }}@{{ $digest }}{{ end -}}
{{- end -}}
