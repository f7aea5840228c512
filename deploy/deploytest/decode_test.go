package deploytest_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// manifest is one overlay's rendered objects, by kind.
type manifest struct {
	deployments     []*appsv1.Deployment
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	serviceAccounts []*corev1.ServiceAccount
	pdbs            []*policyv1.PodDisruptionBudget
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	netpols         []*networkingv1.NetworkPolicy
	// custom resources (KEDA, prometheus-operator), by kind
	custom map[string][]*unstructured.Unstructured
}

// customKinds are the CRD kinds the manifests may use; they are decoded as
// unstructured and checked field by field.
var customKinds = map[string]bool{
	"keda.sh/v1alpha1/ScaledObject":           true,
	"monitoring.coreos.com/v1/ServiceMonitor": true,
	"monitoring.coreos.com/v1/PrometheusRule": true,
}

// decode splits a multi-document YAML stream and strict-decodes each document
// into its k8s.io/api type: an unknown field, a wrong type or an unknown kind
// is an error.
func decode(data []byte) (*manifest, error) {
	m := &manifest{custom: map[string][]*unstructured.Unstructured{}}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		if err := m.add(doc); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
	}
}

// strict decodes doc into a new T, refusing unknown and duplicate fields.
func strict[T any](doc []byte, list *[]*T) error {
	obj := new(T)
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return err
	}
	*list = append(*list, obj)
	return nil
}

// add decodes one document by its apiVersion and kind.
func (m *manifest) add(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return fmt.Errorf("type meta: %w", err)
	}
	gvk := tm.APIVersion + "/" + tm.Kind
	var err error
	switch gvk {
	case "apps/v1/Deployment":
		err = strict(doc, &m.deployments)
	case "v1/Service":
		err = strict(doc, &m.services)
	case "v1/ConfigMap":
		err = strict(doc, &m.configMaps)
	case "v1/Secret":
		err = strict(doc, &m.secrets)
	case "v1/ServiceAccount":
		err = strict(doc, &m.serviceAccounts)
	case "policy/v1/PodDisruptionBudget":
		err = strict(doc, &m.pdbs)
	case "autoscaling/v2/HorizontalPodAutoscaler":
		err = strict(doc, &m.hpas)
	case "networking.k8s.io/v1/NetworkPolicy":
		err = strict(doc, &m.netpols)
	default:
		if !customKinds[gvk] {
			return fmt.Errorf("unexpected kind %q: add it to decode (typed) or customKinds (CRD, with checks)", gvk)
		}
		js, jerr := yaml.YAMLToJSON(doc)
		if jerr != nil {
			return fmt.Errorf("%s: %w", gvk, jerr)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return fmt.Errorf("%s: %w", gvk, err)
		}
		m.custom[tm.Kind] = append(m.custom[tm.Kind], u)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", gvk, err)
	}
	return nil
}
