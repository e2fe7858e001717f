// argocheck reads Argo CD Application files and runs Argo CD's own checks on them: the file
// must decode strictly into Argo CD's Application type, and every source must pass
// ApplicationSource.ExplicitType() (a source that is both Helm and Kustomize, or any two of
// helm, kustomize, directory and plugin, is what Argo CD refuses with "multiple application
// sources defined"). Exit 0 when every file passes, 1 otherwise, 2 on a read error.
// Built by scripts/setup-test into .tools/bin/argocheck; used by tests/helm/.
package main

import (
	"fmt"
	"os"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"sigs.k8s.io/yaml"
)

func main() {
	failed := false
	for _, f := range os.Args[1:] {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var app v1alpha1.Application
		if err := yaml.UnmarshalStrict(b, &app); err != nil {
			fmt.Printf("%s: not an Application Argo CD reads: %v\n", f, err)
			failed = true
			continue
		}
		for i, s := range app.Spec.GetSources() {
			if _, err := s.ExplicitType(); err != nil {
				fmt.Printf("%s: source %d: %v\n", f, i, err)
				failed = true
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}
