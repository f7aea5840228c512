package deploytest_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// overlays are the rendered variants and what each expects to find in the
// cluster rather than in its output.
var overlays = map[string]checkOptions{
	"dev":  {},
	"prod": {externalSecrets: []string{"boomerang-credentials", "boomerang-shop-secrets"}},
}

// metricDef is a Prometheus metric definition in the Go code.
var metricDef = regexp.MustCompile(`Name:\s*"(boomerang_[a-z0-9_]+)"`)

// exportedMetrics returns the boomerang_* metric names the module's non-test
// Go files define, read once.
var exportedMetrics = sync.OnceValues(func() (map[string]bool, error) {
	names := map[string]bool{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".") && p != root || e.Name() == "bin" || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range metricDef.FindAllSubmatch(src, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	return names, err
})

// options returns the overlay's check options with the exported metrics.
func options(t *testing.T, overlay string) checkOptions {
	t.Helper()
	metrics, err := exportedMetrics()
	require.NoError(t, err)
	require.NotEmpty(t, metrics, "no boomerang_* metric definitions found in the Go sources")
	opts := overlays[overlay]
	opts.metrics = metrics
	return opts
}

func TestOverlaysRenderAndHoldTheInvariants(t *testing.T) {
	t.Parallel()
	for overlay := range overlays {
		t.Run(overlay, func(t *testing.T) {
			t.Parallel()
			m, err := decode(render(t, overlay))
			require.NoError(t, err)
			for _, err := range check(m, options(t, overlay)) {
				t.Error(err)
			}
		})
	}
}

func TestProdPinsSecretsOutsideTheOutput(t *testing.T) {
	t.Parallel()
	m, err := decode(render(t, "prod"))
	require.NoError(t, err)
	require.Empty(t, m.secrets, "prod must not render Secrets: they come from the cluster's secret store")
}

// TestChecksCatchBrokenManifests breaks the rendered dev overlay one way at a
// time and expects check to say so.
func TestChecksCatchBrokenManifests(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		breakIt func(m *manifest)
		want    string
	}{
		"no liveness probe": {
			func(m *manifest) { m.deployments[0].Spec.Template.Spec.Containers[0].LivenessProbe = nil },
			"no HTTP liveness probe",
		},
		"readiness on healthz": {
			func(m *manifest) {
				m.deployments[1].Spec.Template.Spec.Containers[0].ReadinessProbe.HTTPGet.Path = "/healthz"
			},
			`readiness probe on "/healthz"`,
		},
		"latest tag": {
			func(m *manifest) { m.deployments[0].Spec.Template.Spec.Containers[0].Image = "boomerang:latest" },
			"tag other than latest",
		},
		"untagged image": {
			func(m *manifest) { m.deployments[2].Spec.Template.Spec.Containers[0].Image = "registry:5000/boomerang" },
			"tag other than latest",
		},
		"no memory limit": {
			func(m *manifest) { m.deployments[0].Spec.Template.Spec.Containers[0].Resources.Limits = nil },
			"memory limit must be set",
		},
		"no cpu request": {
			func(m *manifest) {
				m.deployments[0].Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
					corev1.ResourceMemory: resource.MustParse("64Mi"),
				}
			},
			"cpu and memory requests",
		},
		"root": {
			func(m *manifest) {
				d := m.deployments[1]
				d.Spec.Template.Spec.SecurityContext.RunAsNonRoot = nil
				d.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = new(false)
			},
			"runAsNonRoot is not true",
		},
		"writable root": {
			func(m *manifest) {
				m.deployments[0].Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem = new(false)
			},
			"readOnlyRootFilesystem",
		},
		"capabilities kept": {
			func(m *manifest) {
				m.deployments[0].Spec.Template.Spec.Containers[0].SecurityContext.Capabilities = nil
			},
			"drop ALL",
		},
		"short grace": {
			func(m *manifest) {
				m.deployments[0].Spec.Template.Spec.TerminationGracePeriodSeconds = new(int64(30))
			},
			"is not longer than preStop",
		},
		"no PDB": {
			func(m *manifest) { m.pdbs = m.pdbs[1:] },
			"covered by 0 PodDisruptionBudgets",
		},
		"PDB selects other pods": {
			func(m *manifest) {
				m.pdbs[0].Spec.Selector.MatchLabels["app.kubernetes.io/component"] = "nobody"
			},
			"covered by 0 PodDisruptionBudgets",
		},
		"selector mismatch": {
			func(m *manifest) { m.deployments[0].Spec.Template.Labels = map[string]string{"app": "other"} },
			"selector does not match",
		},
		"service selects nothing": {
			func(m *manifest) { m.services[0].Spec.Selector = map[string]string{"app": "gone"} },
			"selects no Deployment",
		},
		"service targets a missing port": {
			func(m *manifest) { m.services[0].Spec.Ports[0].TargetPort.StrVal = "web" },
			"does not expose",
		},
		"send without its secret key": {
			func(m *manifest) {
				for _, d := range m.deployments {
					if d.Spec.Template.Spec.Containers[0].Args[0] == "send" {
						d.Spec.Template.Spec.Containers[0].Env = d.Spec.Template.Spec.Containers[0].Env[1:]
					}
				}
			},
			"role send needs BOOMERANG_SECRET_KEY",
		},
		"shops file var without a secret": {
			func(m *manifest) {
				for _, s := range m.secrets {
					delete(s.Data, "DEMO_API_TOKEN")
				}
			},
			"${DEMO_API_TOKEN}",
		},
		"missing ConfigMap": {
			func(m *manifest) { m.configMaps = nil },
			"not rendered",
		},
		"ScaledObject on the wrong consumer": {
			func(m *manifest) {
				for _, so := range m.custom["ScaledObject"] {
					trig := asMap(so.Object["spec"].(map[string]any)["triggers"].([]any)[0])
					asMap(trig["metadata"])["consumer"] = "other"
				}
			},
			"no nats-jetstream trigger on stream",
		},
		"alert on a metric nobody exports": {
			func(m *manifest) {
				g := asMap(m.custom["PrometheusRule"][0].Object["spec"].(map[string]any)["groups"].([]any)[0])
				asMap(g["rules"].([]any)[0])["expr"] = "rate(boomerang_made_up_total[5m]) > 0"
			},
			"boomerang_made_up_total is not a metric",
		},
		"no HPA for ingest": {
			func(m *manifest) { m.hpas = nil },
			"no HorizontalPodAutoscaler",
		},
		"no NetworkPolicy": {
			func(m *manifest) { m.netpols = nil },
			"no NetworkPolicy selects",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := decode(render(t, "dev"))
			require.NoError(t, err)
			require.Empty(t, check(m, options(t, "dev")), "the unbroken overlay must pass")
			tc.breakIt(m)
			var msgs []string
			for _, err := range check(m, options(t, "dev")) {
				msgs = append(msgs, err.Error())
			}
			require.Contains(t, strings.Join(msgs, "\n"), tc.want)
		})
	}
}

func TestDecodeIsStrict(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"unknown field": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSecond: 40\n",
		"wrong type":    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: \"two\"}\n",
		"unknown kind":  "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n",
		"duplicate key": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: \"1\", a: \"2\"}\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := decode([]byte(doc))
			require.Error(t, err)
		})
	}
}

func TestMissingKustomizeFailsClearly(t *testing.T) {
	t.Parallel()
	_, err := build(t.Context(), filepath.Join(t.TempDir(), "kustomize"), "dev")
	require.ErrorIs(t, err, errNoKustomize)
	require.ErrorContains(t, err, "make kustomize")
}

func TestCheckImage(t *testing.T) {
	t.Parallel()
	for image, ok := range map[string]bool{
		"ghcr.io/boomerang-dev/boomerang:0.1.0":       true,
		"registry:5000/boomerang:1":                   true,
		"boomerang@sha256:" + strings.Repeat("a", 64): true,
		"boomerang":               false,
		"boomerang:latest":        false,
		"registry:5000/boomerang": false,
		"boomerang:":              false,
	} {
		err := checkImage(image)
		if ok {
			require.NoError(t, err, image)
		} else {
			require.ErrorIs(t, err, errLatest, image)
		}
	}
}

func FuzzCheckImage(f *testing.F) {
	for _, s := range []string{"ghcr.io/boomerang-dev/boomerang:0.1.0", "boomerang:latest", "registry:5000/b", "a@sha256:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		err := checkImage(image)
		if strings.HasSuffix(image, ":latest") && !strings.Contains(image, "@sha256:") {
			require.ErrorIs(t, err, errLatest)
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n"))
	f.Add([]byte("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec: {triggers: []}\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decode(data)
		if err == nil {
			_ = check(m, checkOptions{}) // must not panic on any decodable input
		}
	})
}
