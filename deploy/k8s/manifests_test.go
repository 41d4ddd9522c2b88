// Package k8s holds the Kubernetes manifests that run the shards of the
// nerbench matrix on a cluster (shards.yaml, merge.yaml) and their tests,
// in a module of its own so that the Kubernetes API types stay out of the
// dependencies of the nerbench module and of its plugin users. The tests
// decode the manifests strictly into the Kubernetes API types (unknown or
// duplicate fields are errors), with no cluster and no network, and check
// that the repository's Dockerfile copies only files that exist.
package k8s

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// objects decodes every document of a manifest strictly into its API type.
func objects(t *testing.T, name string) []any {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s: document %d: %v", name, i+1, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "batch/v1 Job":
			obj = new(batchv1.Job)
		case "v1 PersistentVolumeClaim":
			obj = new(corev1.PersistentVolumeClaim)
		default:
			t.Fatalf("%s: document %d: unexpected %s %s", name, i+1, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s: document %d (%s): %v", name, i+1, tm.Kind, err)
		}
		out = append(out, obj)
	}
	return out
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// Strict decoding does refuse what the API types do not have.
func TestStrictDecoding(t *testing.T) {
	var j batchv1.Job
	err := yaml.UnmarshalStrict([]byte("apiVersion: batch/v1\nkind: Job\nspec:\n  completionMode: Indexed\n  completionIndex: 3\n"), &j)
	if err == nil || !strings.Contains(err.Error(), "completionIndex") {
		t.Errorf("unknown field: %v", err)
	}
}

// shards.yaml: an Indexed Job whose pod i runs shard i/n with make bench,
// n being its completions, writing to the shared volume that merge.yaml
// reads.
func TestShardsJob(t *testing.T) {
	objs := objects(t, "shards.yaml")
	if len(objs) != 2 {
		t.Fatalf("%d objects, want a PersistentVolumeClaim and a Job", len(objs))
	}
	pvc, ok := objs[0].(*corev1.PersistentVolumeClaim)
	if !ok {
		t.Fatalf("first object %T, want the PersistentVolumeClaim", objs[0])
	}
	job, ok := objs[1].(*batchv1.Job)
	if !ok {
		t.Fatalf("second object %T, want the Job", objs[1])
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completionMode %v, want Indexed", s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		t.Errorf("completions %v, parallelism %v: want the number of shards, both", s.Completions, s.Parallelism)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never (a failed shard is retried as a new pod, counted by backoffLimit)", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	shards := ""
	for _, e := range c.Env {
		if e.Name == "SHARDS" {
			shards = e.Value
		}
	}
	if n, err := strconv.Atoi(shards); err != nil || s.Completions == nil || int32(n) != *s.Completions {
		t.Errorf("SHARDS = %q, completions %v: want the same number", shards, s.Completions)
	}
	script := strings.Join(append(c.Command, c.Args...), " ")
	for _, want := range []string{`make bench SHARD="$((JOB_COMPLETION_INDEX + 1))/$SHARDS" RESULTS=/results`, "benchmark.samples.shard-"} {
		if !strings.Contains(script, want) {
			t.Errorf("the shard's command lacks %q:\n%s", want, script)
		}
	}
	if r, l := c.Resources.Requests.Cpu(), c.Resources.Limits.Cpu(); r.IsZero() || r.Cmp(*l) != 0 || r.MilliValue()%1000 != 0 {
		t.Errorf("cpu requests %v, limits %v: want whole CPUs, requests = limits (Guaranteed QoS)", r, l)
	}
	checkVolume(t, "shards.yaml", pod, pvc.Name)
	if img := imageOf(t, "merge.yaml"); img != c.Image {
		t.Errorf("merge.yaml runs %q, shards.yaml %q: want the same image", img, c.Image)
	}
}

// merge.yaml: one pod that merges the shards on the shared volume.
func TestMergeJob(t *testing.T) {
	objs := objects(t, "merge.yaml")
	if len(objs) != 1 {
		t.Fatalf("%d objects, want the merge Job", len(objs))
	}
	job, ok := objs[0].(*batchv1.Job)
	if !ok {
		t.Fatalf("%T, want a Job", objs[0])
	}
	if job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion {
		t.Error("the merge is one pod, not indexed")
	}
	c := job.Spec.Template.Spec.Containers[0]
	script := strings.Join(append(c.Command, c.Args...), " ")
	for _, want := range []string{"make merge RESULTS=/results", "make report RESULTS=/results", "/results/outputs/"} {
		if !strings.Contains(script, want) {
			t.Errorf("the merge's command lacks %q:\n%s", want, script)
		}
	}
	pvc := objects(t, "shards.yaml")[0].(*corev1.PersistentVolumeClaim)
	checkVolume(t, "merge.yaml", job.Spec.Template.Spec, pvc.Name)
}

// checkVolume checks that the pod mounts the claim at /results.
func checkVolume(t *testing.T, name string, pod corev1.PodSpec, claim string) {
	t.Helper()
	vol := ""
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			vol = v.Name
		}
	}
	mounted := false
	for _, m := range pod.Containers[0].VolumeMounts {
		mounted = mounted || m.Name == vol && m.MountPath == "/results"
	}
	if vol == "" || !mounted {
		t.Errorf("%s: the claim %s is not mounted at /results", name, claim)
	}
}

func imageOf(t *testing.T, name string) string {
	t.Helper()
	return objects(t, name)[0].(*batchv1.Job).Spec.Template.Spec.Containers[0].Image
}

// The Dockerfile (which cannot be built without a registry) copies only
// files and folders that are in the repository, none of them excluded by
// .dockerignore, and its workdir is the one the manifests run in.
func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var ignored []string
	for _, line := range strings.Split(string(ignore), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ignored = append(ignored, line)
		}
	}
	copies, workdir := 0, ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "WORKDIR":
			workdir = f[1]
		case "COPY", "ADD":
			args := f[1:]
			for len(args) > 0 && strings.HasPrefix(args[0], "--") {
				if strings.HasPrefix(args[0], "--from") {
					args = nil // from another stage or image
					break
				}
				args = args[1:]
			}
			if len(args) < 2 {
				continue
			}
			for _, src := range args[:len(args)-1] {
				copies++
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("Dockerfile copies %s, which is not in the repository: %v", src, err)
				}
				for _, pattern := range ignored {
					if ok, _ := filepath.Match(pattern, src); ok {
						t.Errorf("Dockerfile copies %s, which .dockerignore excludes (%s)", src, pattern)
					}
				}
			}
		}
	}
	if copies == 0 {
		t.Error("the Dockerfile copies nothing")
	}
	for _, name := range []string{"shards.yaml", "merge.yaml"} {
		for _, obj := range objects(t, name) {
			if job, ok := obj.(*batchv1.Job); ok {
				if wd := job.Spec.Template.Spec.Containers[0].WorkingDir; wd != workdir {
					t.Errorf("%s: workingDir %q, the Dockerfile's WORKDIR %q", name, wd, workdir)
				}
			}
		}
	}
	// Every package of the nerbench module is in the image: make bench
	// builds the suite and the command from them.
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && hasGo(filepath.Join(root, e.Name())) &&
			e.Name() != "deploy" && e.Name() != "examples" && !bytes.Contains(data, []byte("COPY "+e.Name()+" ")) {
			t.Errorf("the Dockerfile does not copy %s/, which holds Go packages of the module", e.Name())
		}
	}
}

// hasGo reports whether a folder holds .go files at any depth.
func hasGo(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}
