// Package deploytest validates the Kubernetes manifests in deploy/ offline: it
// renders each kustomize overlay with the pinned kustomize binary in bin/
// (make kustomize installs it), strict-decodes every object into the
// k8s.io/api types (CRDs: KEDA ScaledObject, prometheus-operator
// ServiceMonitor and PrometheusRule, as unstructured objects with their
// required fields checked), and checks the deployment invariants: every
// Deployment probed, resourced, non-root, read-only root filesystem, covered by
// a PodDisruptionBudget, no latest tag, every environment variable its role
// needs present; every Service selecting pods that exist. It also checks the
// monitoring: every alert has a for: duration and a runbook description and
// reads only metrics the Go code defines or listed exporter metrics, and the
// Grafana dashboard (deploy/grafana/boomerang.json, shipped as a ConfigMap
// for the Grafana sidecar) uses its data source variable on every panel, has
// unique panel ids and queries only those metrics. A small PromQL lexer lists
// the metrics an expression reads.
//
// The package has only tests.
package deploytest
