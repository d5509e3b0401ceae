{{/* The pod's k8s.plugin.opnfv.org/nfn-network annotation (JSON) from .Values.nfn. */}}
{{- define "sdewan-cnf.nfnNetwork" -}}
{{- $interfaces := list -}}
{{- range .Values.nfn -}}
{{- $interfaces = append $interfaces (dict "defaultGateway" (toString .defaultGateway) "interface" .interface "ipAddress" (.ipAddress | default "" | toString) "name" .name) -}}
{{- end -}}
{{- dict "type" "ovn4nfv" "interface" $interfaces | toJson -}}
{{- end -}}

{{/* Where the pod mounts its annotations and secrets (the paths of ICN's chart). */}}
{{- define "sdewan-cnf.podinfoDir" -}}/tmp/podinfo{{- end -}}
{{- define "sdewan-cnf.accountDir" -}}/tmp/sdewan/account{{- end -}}
{{- define "sdewan-cnf.certDir" -}}/tmp/sdewan/serving-certs{{- end -}}
