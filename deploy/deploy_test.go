package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// deploy/k8s, a module of its own, decodes the Kubernetes manifests
// strictly into the API types and checks the Dockerfile: its vet and tests
// pass. It needs no cluster; go fetches its modules from the module proxy.
func TestK8sModule(t *testing.T) {
	// Read here what the child tests read, so that go test's cache of this
	// test is invalidated when one of them changes.
	for _, name := range []string{"../Dockerfile", "../.dockerignore"} {
		if _, err := os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir("k8s")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			if _, err := os.ReadFile(filepath.Join("k8s", e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = "k8s"
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %v in deploy/k8s: %v (if go asks for go mod tidy, run it in deploy/k8s)\n%s", args, err, out.String())
		}
	}
}
