// Package deploytest validates the Kubernetes manifests in deploy/ offline: it
// renders each kustomize overlay with the pinned kustomize binary in bin/
// (make kustomize installs it), strict-decodes every object into the
// k8s.io/api types (CRDs: KEDA ScaledObject, prometheus-operator
// ServiceMonitor and PrometheusRule, as unstructured objects with their
// required fields checked), and checks the deployment invariants: every
// Deployment probed, resourced, non-root, read-only root filesystem, covered by
// a PodDisruptionBudget, no latest tag, every environment variable its role
// needs present; every Service selecting pods that exist.
//
// The package has only tests.
package deploytest
