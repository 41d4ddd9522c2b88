// Package deploy runs nerbench's shards on the engines teams already run:
// .github/workflows/shards.yml on GitHub Actions runners, and, in the
// module of its own in deploy/k8s (which keeps the Kubernetes API types out
// of this module's dependencies), an Indexed Job on a Kubernetes cluster
// with the image of the repository's Dockerfile. This package only holds
// the test that runs deploy/k8s's tests. See README.md, "Running on many
// machines".
package deploy
