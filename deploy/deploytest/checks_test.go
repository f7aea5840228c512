package deploytest_test

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Facts about the binary the manifests must agree with (README.md).
const (
	drainSeconds = 25 // the roles drain within 25 s of SIGTERM
	httpPort     = 8080
	healthPath   = "/healthz"
	readyPath    = "/readyz"
	metricsPath  = "/metrics"
	shopsEnv     = "BOOMERANG_SHOPS"
)

// roleEnv lists the environment variables each role needs (README.md
// "Commands"; send also gets its provider and admin credentials).
var roleEnv = map[string][]string{
	"ingest":  {"NATS_URL", shopsEnv},
	"process": {"NATS_URL", "REDIS_URL", shopsEnv, "BOOMERANG_SECRET_KEY"},
	"predict": {"NATS_URL", "REDIS_URL", shopsEnv, "BOOMERANG_SECRET_KEY"},
	"send": {
		"NATS_URL", "REDIS_URL", shopsEnv, "BOOMERANG_SECRET_KEY", "BOOMERANG_PUBLIC_URL",
		"BOOMERANG_ADMIN_TOKEN", "SENDGRID_API_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
	},
}

// roleConsumer is the JetStream stream and durable consumer a role's
// ScaledObject must watch (cmd/internal/cli: processorDurable, senderDurable).
var roleConsumer = map[string][2]string{
	"process": {"EVENTS", "processor"},
	"send":    {"OUTBOX", "sender"},
}

// varRef is a ${VAR} reference in the shops file.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// promDuration is a Prometheus duration such as 5m or 1h30m.
var promDuration = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)

// problems collects every violation, so one run lists them all.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

// checkOptions is what differs between overlays.
type checkOptions struct {
	// externalSecrets are Secrets the overlay expects to exist in the
	// cluster instead of rendering them.
	externalSecrets []string
	// metrics are the metric names the Go code exports.
	metrics map[string]bool
}

// check returns every invariant the manifest breaks.
func check(m *manifest, opts checkOptions) []error {
	var p problems
	if len(m.deployments) == 0 {
		p.addf("no Deployment rendered")
	}
	roles := map[string]*appsv1.Deployment{}
	for _, d := range m.deployments {
		if role := checkDeployment(&p, m, d, opts); role != "" {
			if roles[role] != nil {
				p.addf("role %s: two Deployments (%s, %s)", role, roles[role].Name, d.Name)
			}
			roles[role] = d
		}
	}
	for role := range roleEnv {
		if roles[role] == nil {
			p.addf("role %s: no Deployment runs it", role)
		}
	}
	checkServices(&p, m)
	checkScaling(&p, m, roles)
	checkMonitoring(&p, m, opts)
	checkDashboards(&p, m, opts)
	return p
}

// key identifies an object by namespace and name.
func key(meta metav1.ObjectMeta) string { return meta.Namespace + "/" + meta.Name }

// selects reports whether sel (a LabelSelector) matches set; an empty or
// invalid selector matches nothing here.
func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(set))
}

// checkDeployment checks one Deployment and returns the role it runs.
func checkDeployment(p *problems, m *manifest, d *appsv1.Deployment, opts checkOptions) string {
	name := "Deployment " + key(d.ObjectMeta)
	pod := &d.Spec.Template.Spec
	podLabels := d.Spec.Template.Labels
	if !selects(d.Spec.Selector, podLabels) {
		p.addf("%s: selector does not match the pod template's labels", name)
	}
	if pod.TerminationGracePeriodSeconds == nil {
		p.addf("%s: terminationGracePeriodSeconds unset (default 30 s)", name)
	}
	if len(pod.TopologySpreadConstraints) == 0 {
		p.addf("%s: no topologySpreadConstraints", name)
	}
	for _, tsc := range pod.TopologySpreadConstraints {
		if !selects(tsc.LabelSelector, podLabels) {
			p.addf("%s: topology spread on %s does not select its own pods", name, tsc.TopologyKey)
		}
	}
	podNonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	if len(pod.Containers) != 1 {
		p.addf("%s: %d containers, want 1", name, len(pod.Containers))
		return ""
	}
	c := &pod.Containers[0]
	checkContainer(p, name, pod, c, podNonRoot)

	// PodDisruptionBudget and NetworkPolicy coverage.
	var pdbs []string
	for _, b := range m.pdbs {
		if b.Namespace == d.Namespace && selects(b.Spec.Selector, podLabels) {
			pdbs = append(pdbs, b.Name)
			if b.Spec.MaxUnavailable == nil && b.Spec.MinAvailable == nil {
				p.addf("PodDisruptionBudget %s: neither maxUnavailable nor minAvailable", key(b.ObjectMeta))
			}
		}
	}
	if len(pdbs) != 1 {
		p.addf("%s: covered by %d PodDisruptionBudgets %v, want 1", name, len(pdbs), pdbs)
	}
	covered := false
	for _, np := range m.netpols {
		covered = covered || (np.Namespace == d.Namespace && selects(&np.Spec.PodSelector, podLabels))
	}
	if !covered {
		p.addf("%s: no NetworkPolicy selects its pods", name)
	}

	if len(c.Args) == 0 {
		p.addf("%s: no role in args", name)
		return ""
	}
	role := c.Args[0]
	if _, ok := roleEnv[role]; !ok {
		p.addf("%s: unknown role %q", name, role)
		return ""
	}
	checkEnv(p, m, name, d.Namespace, pod, c, role, opts)
	return role
}

// checkContainer checks probes, resources, security and the image.
func checkContainer(p *problems, name string, pod *corev1.PodSpec, c *corev1.Container, podNonRoot bool) {
	name += " container " + c.Name
	checkProbe(p, name, "liveness", c.LivenessProbe, healthPath, c)
	checkProbe(p, name, "readiness", c.ReadinessProbe, readyPath, c)

	req, lim := c.Resources.Requests, c.Resources.Limits
	if req.Cpu().IsZero() || req.Memory().IsZero() {
		p.addf("%s: cpu and memory requests must be set", name)
	}
	if lim.Memory().IsZero() {
		p.addf("%s: memory limit must be set", name)
	}

	sc := c.SecurityContext
	if !podNonRoot && (sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
		p.addf("%s: runAsNonRoot is not true", name)
	}
	if sc == nil {
		p.addf("%s: no securityContext", name)
	} else {
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			p.addf("%s: readOnlyRootFilesystem is not true", name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			p.addf("%s: allowPrivilegeEscalation is not false", name)
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			p.addf("%s: capabilities do not drop ALL", name)
		}
	}
	// With a read-only root, /tmp must be a volume.
	if !slices.ContainsFunc(c.VolumeMounts, func(v corev1.VolumeMount) bool { return v.MountPath == "/tmp" && !v.ReadOnly }) {
		p.addf("%s: /tmp is not a writable volume", name)
	}

	if err := checkImage(c.Image); err != nil {
		p.addf("%s: %w", name, err)
	}

	// The grace period must outlast the preStop hook plus the drain.
	if pod.TerminationGracePeriodSeconds != nil {
		var preStop int64
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			preStop = c.Lifecycle.PreStop.Sleep.Seconds
		}
		if need := preStop + drainSeconds; *pod.TerminationGracePeriodSeconds <= need {
			p.addf("%s: terminationGracePeriodSeconds %d is not longer than preStop %d s + drain %d s",
				name, *pod.TerminationGracePeriodSeconds, preStop, drainSeconds)
		}
	}
}

// errLatest is returned for an image without a pinned tag or digest.
var errLatest = errors.New("image must name a tag other than latest, or a digest")

// checkImage refuses untagged and :latest images.
func checkImage(image string) error {
	if strings.Contains(image, "@sha256:") {
		return nil
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	if i < 0 || last[i+1:] == "" || last[i+1:] == "latest" {
		return fmt.Errorf("%q: %w", image, errLatest)
	}
	return nil
}

// checkProbe wants an HTTP GET on path at the container's HTTP port.
func checkProbe(p *problems, name, kind string, pr *corev1.Probe, want string, c *corev1.Container) {
	if pr == nil || pr.HTTPGet == nil {
		p.addf("%s: no HTTP %s probe", name, kind)
		return
	}
	if pr.HTTPGet.Path != want {
		p.addf("%s: %s probe on %q, want %q", name, kind, pr.HTTPGet.Path, want)
	}
	if !hasPort(c, pr.HTTPGet.Port.String()) {
		p.addf("%s: %s probe port %s is not a container port", name, kind, pr.HTTPGet.Port.String())
	}
}

// hasPort reports whether the container declares port (a name or number).
func hasPort(c *corev1.Container, port string) bool {
	return slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool {
		return cp.Name == port || fmt.Sprint(cp.ContainerPort) == port
	})
}

// checkEnv checks that the container gets every variable its role needs,
// that what it refers to exists, and that the shops file's ${VAR}s resolve.
func checkEnv(p *problems, m *manifest, name, ns string, pod *corev1.PodSpec, c *corev1.Container, role string, opts checkOptions) {
	values := map[string]string{} // variable -> value, "" when secret or unknown
	opaque := false               // an external Secret is mapped whole: its keys are unknown
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm := findConfigMap(m, ns, ef.ConfigMapRef.Name)
			if cm == nil {
				p.addf("%s: envFrom ConfigMap %s not rendered", name, ef.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				values[ef.Prefix+k] = v
			}
		case ef.SecretRef != nil:
			s := findSecret(m, ns, ef.SecretRef.Name)
			switch {
			case s != nil:
				for k := range secretKeys(s) {
					values[ef.Prefix+k] = ""
				}
			case slices.Contains(opts.externalSecrets, ef.SecretRef.Name):
				opaque = true
			default:
				p.addf("%s: envFrom Secret %s neither rendered nor declared external", name, ef.SecretRef.Name)
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			values[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			s := findSecret(m, ns, ref.Name)
			switch {
			case s != nil:
				if _, ok := secretKeys(s)[ref.Key]; !ok && (ref.Optional == nil || !*ref.Optional) {
					p.addf("%s: %s refers to missing key %s of Secret %s", name, e.Name, ref.Key, ref.Name)
				}
			case !slices.Contains(opts.externalSecrets, ref.Name):
				p.addf("%s: %s refers to Secret %s, neither rendered nor declared external", name, e.Name, ref.Name)
			}
			values[e.Name] = ""
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm := findConfigMap(m, ns, ref.Name)
			if cm == nil {
				p.addf("%s: %s refers to ConfigMap %s, not rendered", name, e.Name, ref.Name)
				continue
			}
			values[e.Name] = cm.Data[ref.Key]
		default:
			values[e.Name] = ""
		}
	}
	for _, v := range roleEnv[role] {
		if _, ok := values[v]; !ok {
			p.addf("%s: role %s needs %s", name, role, v)
		}
	}
	if addr, ok := values["BOOMERANG_HTTP_ADDR"]; ok && addr != fmt.Sprintf(":%d", httpPort) {
		p.addf("%s: BOOMERANG_HTTP_ADDR %q, the probes and Services use :%d", name, addr, httpPort)
	}
	if shops := values[shopsEnv]; shops != "" {
		checkShopsFile(p, m, name, ns, pod, c, shops, values, opaque)
	}
}

// checkShopsFile finds the shops file in a ConfigMap volume and checks that
// every ${VAR} it uses is in the container's environment.
func checkShopsFile(p *problems, m *manifest, name, ns string, pod *corev1.PodSpec, c *corev1.Container, file string, env map[string]string, opaque bool) {
	dir, base := path.Split(file)
	var cmName string
	for _, vm := range c.VolumeMounts {
		if strings.TrimSuffix(vm.MountPath, "/") != strings.TrimSuffix(dir, "/") {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil {
				cmName = v.ConfigMap.Name
			}
		}
	}
	cm := findConfigMap(m, ns, cmName)
	if cm == nil {
		p.addf("%s: %s=%s is not in a mounted ConfigMap", name, shopsEnv, file)
		return
	}
	data, ok := cm.Data[base]
	if !ok {
		p.addf("%s: ConfigMap %s has no %s", name, cmName, base)
		return
	}
	var doc any
	if err := yaml.Unmarshal([]byte(data), &doc); err != nil {
		p.addf("%s: shops file: %w", name, err)
		return
	}
	for _, s := range stringsIn(doc) {
		for _, ref := range varRef.FindAllStringSubmatch(s, -1) {
			if _, ok := env[ref[1]]; !ok && !opaque {
				p.addf("%s: the shops file refers to ${%s}, which is not in the environment", name, ref[1])
			}
		}
	}
}

// stringsIn returns every string value in a decoded YAML document.
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}

func findConfigMap(m *manifest, ns, name string) *corev1.ConfigMap {
	for _, cm := range m.configMaps {
		if cm.Namespace == ns && cm.Name == name {
			return cm
		}
	}
	return nil
}

func findSecret(m *manifest, ns, name string) *corev1.Secret {
	for _, s := range m.secrets {
		if s.Namespace == ns && s.Name == name {
			return s
		}
	}
	return nil
}

// secretKeys returns the keys of data and stringData.
func secretKeys(s *corev1.Secret) map[string]struct{} {
	keys := map[string]struct{}{}
	for k := range s.Data {
		keys[k] = struct{}{}
	}
	for k := range s.StringData {
		keys[k] = struct{}{}
	}
	return keys
}

// checkServices wants every Service to select pods of a Deployment that has
// the ports the Service targets.
func checkServices(p *problems, m *manifest) {
	for _, s := range m.services {
		name := "Service " + key(s.ObjectMeta)
		if len(s.Spec.Selector) == 0 {
			p.addf("%s: no selector", name)
			continue
		}
		var matched []*appsv1.Deployment
		for _, d := range m.deployments {
			if d.Namespace == s.Namespace && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				matched = append(matched, d)
			}
		}
		if len(matched) == 0 {
			p.addf("%s: selects no Deployment's pods", name)
		}
		for _, sp := range s.Spec.Ports {
			target := sp.TargetPort.String()
			if sp.TargetPort.IntValue() == 0 && sp.TargetPort.StrVal == "" {
				target = fmt.Sprint(sp.Port)
			}
			for _, d := range matched {
				if !slices.ContainsFunc(d.Spec.Template.Spec.Containers, func(c corev1.Container) bool { return hasPort(&c, target) }) {
					p.addf("%s: port %s targets %s, which Deployment %s does not expose", name, sp.Name, target, d.Name)
				}
			}
		}
	}
}

// checkScaling checks the HPAs and the KEDA ScaledObjects: each targets an
// existing Deployment, none is targeted twice, and the ScaledObjects watch
// their role's consumer.
func checkScaling(p *problems, m *manifest, roles map[string]*appsv1.Deployment) {
	targeted := map[string]string{}
	target := func(by, ns, kind, name string) {
		if kind != "Deployment" {
			p.addf("%s: scales a %s, want a Deployment", by, kind)
			return
		}
		var found bool
		for _, d := range m.deployments {
			found = found || (d.Namespace == ns && d.Name == name)
		}
		if !found {
			p.addf("%s: scales Deployment %s, which is not rendered", by, name)
		}
		if prev, ok := targeted[ns+"/"+name]; ok {
			p.addf("%s and %s both scale Deployment %s", prev, by, name)
		}
		targeted[ns+"/"+name] = by
	}
	for _, h := range m.hpas {
		target("HorizontalPodAutoscaler "+key(h.ObjectMeta), h.Namespace, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
	}
	if d := roles["ingest"]; d != nil {
		if _, ok := targeted[d.Namespace+"/"+d.Name]; !ok {
			p.addf("Deployment %s (ingest): no HorizontalPodAutoscaler", d.Name)
		}
	}
	for _, so := range m.custom["ScaledObject"] {
		name := "ScaledObject " + so.GetNamespace() + "/" + so.GetName()
		targetName := requiredString(p, name, so, "spec", "scaleTargetRef", "name")
		kind, _, _ := unstructured.NestedString(so.Object, "spec", "scaleTargetRef", "kind")
		if kind == "" {
			kind = "Deployment" // KEDA's default
		}
		target(name, so.GetNamespace(), kind, targetName)
		triggers, _, err := unstructured.NestedSlice(so.Object, "spec", "triggers")
		if err != nil || len(triggers) == 0 {
			p.addf("%s: spec.triggers is empty", name)
			continue
		}
		var role string
		for r, d := range roles {
			if d.Name == targetName && d.Namespace == so.GetNamespace() {
				role = r
			}
		}
		want, watched := roleConsumer[role]
		var matched bool
		for i, t := range triggers {
			tm, ok := t.(map[string]any)
			if !ok {
				p.addf("%s: trigger %d is not an object", name, i)
				continue
			}
			tu := &unstructured.Unstructured{Object: tm}
			tname := fmt.Sprintf("%s trigger %d", name, i)
			if requiredString(p, tname, tu, "type") != "nats-jetstream" {
				continue
			}
			for _, f := range []string{"natsServerMonitoringEndpoint", "account", "lagThreshold"} {
				requiredString(p, tname, tu, "metadata", f)
			}
			stream := requiredString(p, tname, tu, "metadata", "stream")
			consumer := requiredString(p, tname, tu, "metadata", "consumer")
			matched = matched || (stream == want[0] && consumer == want[1])
		}
		if watched && !matched {
			p.addf("%s: no nats-jetstream trigger on stream %s consumer %s (role %s)", name, want[0], want[1], role)
		}
	}
	for role := range roleConsumer {
		if d := roles[role]; d != nil {
			if _, ok := targeted[d.Namespace+"/"+d.Name]; !ok {
				p.addf("Deployment %s (%s): no ScaledObject", d.Name, role)
			}
		}
	}
}

// requiredString returns a required non-empty string field of u.
func requiredString(p *problems, name string, u *unstructured.Unstructured, fields ...string) string {
	s, found, err := unstructured.NestedString(u.Object, fields...)
	if err != nil || !found || s == "" {
		p.addf("%s: %s is required (a non-empty string)", name, strings.Join(fields, "."))
	}
	return s
}

// checkMonitoring checks the ServiceMonitors and PrometheusRules: the
// monitor scrapes /metrics of Services that exist, every role's pods are
// scraped, and every alert has an expression, a for: duration, a severity, a
// summary and a description, and names only metrics the code or a listed
// exporter exports.
func checkMonitoring(p *problems, m *manifest, opts checkOptions) {
	scraped := map[string]bool{} // Deployment key -> scraped
	for _, sm := range m.custom["ServiceMonitor"] {
		name := "ServiceMonitor " + sm.GetNamespace() + "/" + sm.GetName()
		sel, found, err := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
		if err != nil || !found || len(sel) == 0 {
			p.addf("%s: spec.selector.matchLabels is required", name)
			continue
		}
		endpoints, _, err := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
		if err != nil || len(endpoints) == 0 {
			p.addf("%s: spec.endpoints is empty", name)
			continue
		}
		var ports []string
		for i, e := range endpoints {
			eu := &unstructured.Unstructured{Object: asMap(e)}
			ename := fmt.Sprintf("%s endpoint %d", name, i)
			ports = append(ports, requiredString(p, ename, eu, "port"))
			if path, _, _ := unstructured.NestedString(eu.Object, "path"); path != "" && path != metricsPath {
				p.addf("%s: path %q, the metrics are on %s", ename, path, metricsPath)
			}
		}
		var services int
		for _, s := range m.services {
			if s.Namespace != sm.GetNamespace() || !labels.SelectorFromSet(sel).Matches(labels.Set(s.Labels)) {
				continue
			}
			services++
			for _, port := range ports {
				if !slices.ContainsFunc(s.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == port }) {
					p.addf("%s: Service %s has no port named %s", name, s.Name, port)
				}
			}
			for _, d := range m.deployments {
				if d.Namespace == s.Namespace && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
					scraped[key(d.ObjectMeta)] = true
				}
			}
		}
		if services == 0 {
			p.addf("%s: selects no Service", name)
		}
	}
	for _, d := range m.deployments {
		if !scraped[key(d.ObjectMeta)] {
			p.addf("Deployment %s: its /metrics is not scraped by any ServiceMonitor", key(d.ObjectMeta))
		}
	}
	if len(m.custom["PrometheusRule"]) == 0 {
		p.addf("no PrometheusRule rendered")
	}
	for _, pr := range m.custom["PrometheusRule"] {
		name := "PrometheusRule " + pr.GetNamespace() + "/" + pr.GetName()
		groups, _, err := unstructured.NestedSlice(pr.Object, "spec", "groups")
		if err != nil || len(groups) == 0 {
			p.addf("%s: spec.groups is empty", name)
			continue
		}
		for gi, g := range groups {
			gu := &unstructured.Unstructured{Object: asMap(g)}
			gname := fmt.Sprintf("%s group %d", name, gi)
			requiredString(p, gname, gu, "name")
			rules, _, err := unstructured.NestedSlice(gu.Object, "rules")
			if err != nil || len(rules) == 0 {
				p.addf("%s: rules is empty", gname)
				continue
			}
			for ri, r := range rules {
				ru := &unstructured.Unstructured{Object: asMap(r)}
				rname := fmt.Sprintf("%s rule %d", gname, ri)
				rname += " " + requiredString(p, rname, ru, "alert")
				expr := requiredString(p, rname, ru, "expr")
				requiredString(p, rname, ru, "labels", "severity")
				requiredString(p, rname, ru, "annotations", "summary")
				requiredString(p, rname, ru, "annotations", "description")
				if f := requiredString(p, rname, ru, "for"); f != "" && !promDuration.MatchString(f) {
					p.addf("%s: for %q is not a duration", rname, f)
				}
				checkExpr(p, rname, expr, opts.metrics)
			}
		}
	}
}

// asMap returns v as an object, or an empty one.
func asMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}
