package deploytest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	corev1 "k8s.io/api/core/v1"
)

// The Grafana dashboard shipped in deploy/grafana and the ConfigMap carrying it.
const (
	// dashboardLabel is the label the Grafana sidecar (kube-prometheus-stack)
	// looks for on ConfigMaps; its value must be "1".
	dashboardLabel = "grafana_dashboard"
	// dashboardFile is the key of the dashboard in its ConfigMap.
	dashboardFile = "boomerang.json"
	// dashboardSchema is the oldest dashboard schemaVersion accepted (Grafana 10.4 and later write 39).
	dashboardSchema = 39
	// datasourceVar is the dashboard's Prometheus data source variable.
	datasourceVar = "datasource"
	// namespaceVar is the variable that filters Boomerang's own metrics.
	namespaceVar = "namespace"
	// maxConfigMapBytes keeps the ConfigMap within the 256 KiB of kubectl
	// apply's last-applied-configuration annotation, with room for the rest.
	maxConfigMapBytes = 200 << 10
)

// dashboardPath is the dashboard file, relative to this package.
var dashboardPath = filepath.Join("..", "grafana", dashboardFile)

// exporterMetrics are the metrics of other programs that alerts and panels
// may name: prometheus-nats-exporter with -jsz=all (collector/jsz.go, as the
// NATS chart's promExporter runs it) and Prometheus's own up. The metrics of
// the Go code are found in its sources (exportedMetrics) and the Go runtime's
// by gathering (runtimeMetrics).
var exporterMetrics = map[string]bool{
	"up":                                      true,
	"jetstream_stream_total_messages":         true,
	"jetstream_stream_total_bytes":            true,
	"jetstream_stream_first_seq":              true,
	"jetstream_stream_last_seq":               true,
	"jetstream_stream_consumer_count":         true,
	"jetstream_consumer_num_pending":          true,
	"jetstream_consumer_num_ack_pending":      true,
	"jetstream_consumer_num_redelivered":      true,
	"jetstream_consumer_num_waiting":          true,
	"jetstream_consumer_delivered_stream_seq": true,
	"jetstream_consumer_ack_floor_stream_seq": true,
}

// runtimeMetrics returns the metric names of the Go and process collectors
// that cmd/internal/cli/serve.go registers beside Boomerang's own.
var runtimeMetrics = sync.OnceValues(func() (map[string]bool, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	families, err := reg.Gather()
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	return names, err
})

// histogramSuffixes are the series a histogram exports beside its name.
var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// ownMetric reports whether the binary exports name: a metric the Go code
// defines (code) or a runtime collector's.
func ownMetric(name string, code map[string]bool) bool {
	runtime, _ := runtimeMetrics() // a gathering error leaves it short: the checks then fail loudly
	for _, n := range append([]string{name}, trimmed(name)...) {
		if code[n] || runtime[n] {
			return true
		}
	}
	return false
}

// knownMetric reports whether name is the binary's or a listed exporter's.
func knownMetric(name string, code map[string]bool) bool {
	return ownMetric(name, code) || exporterMetrics[name]
}

// trimmed returns name without a histogram suffix, if it has one.
func trimmed(name string) []string {
	for _, s := range histogramSuffixes {
		if base, ok := strings.CutSuffix(name, s); ok && base != "" {
			return []string{base}
		}
	}
	return nil
}

// checkExpr reports a PromQL expression that cannot be read or names a
// metric neither the binary nor a listed exporter exports.
func checkExpr(p *problems, name, expr string, code map[string]bool) []promqlSelector {
	sels, err := promqlSelectors(expr)
	if err != nil {
		p.addf("%s: %w", name, err)
		return nil
	}
	for _, s := range sels {
		if !knownMetric(s.name, code) {
			p.addf("%s: %s is not a metric the Go code exports nor a listed exporter metric", name, s.name)
		}
	}
	return sels
}

// Grafana's dashboard model, as far as the checks read it. Its JSON is
// camelCase.
type (
	dashboard struct {
		UID           string           `json:"uid"`
		Title         string           `json:"title"`
		SchemaVersion int              `json:"schemaVersion"` //nolint:tagliatelle // Grafana's field name
		Panels        []dashboardPanel `json:"panels"`
		Templating    struct {
			List []dashboardVar `json:"list"`
		} `json:"templating"`
	}
	dashboardPanel struct {
		ID         int                  `json:"id"`
		Type       string               `json:"type"`
		Title      string               `json:"title"`
		Datasource *dashboardDatasource `json:"datasource"`
		Targets    []dashboardTarget    `json:"targets"`
		GridPos    struct {
			X int `json:"x"`
			Y int `json:"y"`
			W int `json:"w"`
			H int `json:"h"`
		} `json:"gridPos"` //nolint:tagliatelle // Grafana's field name
		// Panels are a collapsed row's.
		Panels []dashboardPanel `json:"panels"`
	}
	dashboardDatasource struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	dashboardTarget struct {
		RefID      string               `json:"refId"` //nolint:tagliatelle // Grafana's field name
		Expr       string               `json:"expr"`
		Datasource *dashboardDatasource `json:"datasource"`
	}
	dashboardVar struct {
		Name       string               `json:"name"`
		Type       string               `json:"type"`
		Query      json.RawMessage      `json:"query"`
		Datasource *dashboardDatasource `json:"datasource"`
	}
)

// builtinVars are Grafana's own variables, always defined.
var builtinVars = regexp.MustCompile(`^__`)

// namespaceFilter is the matcher that limits a selector to the namespaces
// the namespace variable selects.
var namespaceFilter = regexp.MustCompile(`(^|[{,\s])namespace\s*=~\s*"\$(\{namespace\}|namespace)"`)

// isDatasourceVar reports whether ds points at the data source variable.
func isDatasourceVar(ds *dashboardDatasource) bool {
	return ds != nil && ds.Type == "prometheus" && (ds.UID == "${"+datasourceVar+"}" || ds.UID == "$"+datasourceVar)
}

// errDashboard is returned for a dashboard that breaks a rule.
var errDashboard = errors.New("dashboard")

// checkDashboard returns every rule the dashboard JSON breaks: schema
// version, a Prometheus data source variable every panel and query uses,
// unique panel ids, sane grid positions, defined variables, and queries that
// read only metrics the binary or a listed exporter exports, Boomerang's
// filtered by the namespace variable.
func checkDashboard(data []byte, code map[string]bool) []error {
	var p problems
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		p.addf("%w JSON: %w", errDashboard, err)
		return p
	}
	if d.UID == "" || d.Title == "" {
		p.addf("%w: uid and title are required", errDashboard)
	}
	if d.SchemaVersion < dashboardSchema {
		p.addf("%w: schemaVersion %d, want %d or later", errDashboard, d.SchemaVersion, dashboardSchema)
	}

	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		name := fmt.Sprintf("variable %q", v.Name)
		if vars[v.Name] {
			p.addf("%s: defined twice", name)
		}
		vars[v.Name] = true
		switch v.Type {
		case "datasource":
			var q string
			if json.Unmarshal(v.Query, &q) != nil || q != "prometheus" {
				p.addf("%s: a data source variable must list prometheus data sources", name)
			}
		case "query":
			if !isDatasourceVar(v.Datasource) {
				p.addf("%s: its data source must be ${%s}", name, datasourceVar)
			}
			checkExpr(&p, name, variableExpr(v.Query), code)
		}
	}
	var dsVar bool
	for _, v := range d.Templating.List {
		dsVar = dsVar || v.Name == datasourceVar && v.Type == "datasource"
	}
	if !dsVar {
		p.addf("%w: no data source variable %q (type datasource)", errDashboard, datasourceVar)
	}

	ids := map[int]string{}
	var walk func(panels []dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, pn := range panels {
			checkPanel(&p, &pn, ids, vars, code)
			walk(pn.Panels)
		}
	}
	walk(d.Panels)
	if len(ids) == 0 {
		p.addf("%w: no panels", errDashboard)
	}
	return p
}

// checkPanel checks one panel and records its id in ids.
func checkPanel(p *problems, pn *dashboardPanel, ids map[int]string, vars, code map[string]bool) {
	name := fmt.Sprintf("panel %d %q", pn.ID, pn.Title)
	if pn.ID <= 0 {
		p.addf("%s: id must be positive", name)
	} else if prev, dup := ids[pn.ID]; dup {
		p.addf("%s: id %d is also panel %q's", name, pn.ID, prev)
	}
	ids[pn.ID] = pn.Title
	g := pn.GridPos
	if g.W < 1 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
		p.addf("%s: gridPos x=%d w=%d h=%d does not fit the 24-column grid", name, g.X, g.W, g.H)
	}
	switch pn.Type {
	case "row":
		if pn.Datasource != nil && !isDatasourceVar(pn.Datasource) {
			p.addf("%s: data source must be ${%s}", name, datasourceVar)
		}
		return
	case "text", "news", "dashlist":
		return // no queries
	}
	if !isDatasourceVar(pn.Datasource) {
		p.addf("%s: data source must be {type: prometheus, uid: ${%s}}", name, datasourceVar)
	}
	if len(pn.Targets) == 0 {
		p.addf("%s: no queries", name)
	}
	refIDs := map[string]bool{}
	for _, t := range pn.Targets {
		tname := fmt.Sprintf("%s query %s", name, t.RefID)
		if t.RefID == "" || refIDs[t.RefID] {
			p.addf("%s: refId empty or repeated", tname)
		}
		refIDs[t.RefID] = true
		if t.Datasource != nil && !isDatasourceVar(t.Datasource) {
			p.addf("%s: data source must be ${%s}", tname, datasourceVar)
		}
		if strings.TrimSpace(t.Expr) == "" {
			p.addf("%s: empty expression", tname)
			continue
		}
		for _, v := range grafanaVars(t.Expr) {
			if !vars[v] && !builtinVars.MatchString(v) {
				p.addf("%s: variable $%s is not defined", tname, v)
			}
		}
		for _, s := range checkExpr(p, tname, t.Expr, code) {
			if vars[namespaceVar] && ownMetric(s.name, code) && !namespaceFilter.MatchString(s.matchers) {
				p.addf("%s: %s is not filtered by namespace=~\"$%s\"", tname, s.name, namespaceVar)
			}
		}
	}
}

// variableExpr returns the PromQL a query variable evaluates: the selector
// of label_values(selector, label), the expression of query_result(expr),
// nothing for label_values(label), label_names() and metrics(regex).
func variableExpr(raw json.RawMessage) string {
	var q string
	if json.Unmarshal(raw, &q) != nil {
		var obj struct {
			Query string `json:"query"`
		}
		_ = json.Unmarshal(raw, &obj)
		q = obj.Query
	}
	q = strings.TrimSpace(q)
	call := func(fn string) (string, bool) {
		inner, ok := strings.CutPrefix(q, fn+"(")
		if !ok || !strings.HasSuffix(inner, ")") {
			return "", false
		}
		return strings.TrimSuffix(inner, ")"), true
	}
	if args, ok := call("label_values"); ok {
		if i := strings.LastIndexByte(args, ','); i >= 0 {
			return args[:i]
		}
		return ""
	}
	if expr, ok := call("query_result"); ok {
		return expr
	}
	if _, ok := call("label_names"); ok {
		return ""
	}
	if _, ok := call("metrics"); ok {
		return ""
	}
	return q
}

// checkDashboards checks every ConfigMap the Grafana sidecar would load, and
// that there is one.
func checkDashboards(p *problems, m *manifest, opts checkOptions) {
	var found int
	for _, cm := range m.configMaps {
		if cm.Labels[dashboardLabel] != "1" {
			continue
		}
		found++
		name := "ConfigMap " + key(cm.ObjectMeta)
		if len(cm.Data) == 0 {
			p.addf("%s: no dashboard in data", name)
		}
		size := 0
		for _, file := range slices.Sorted(maps.Keys(cm.Data)) {
			size += len(cm.Data[file])
			if !strings.HasSuffix(file, ".json") {
				p.addf("%s: %s is not a .json file, which Grafana's provisioning skips", name, file)
				continue
			}
			for _, err := range checkDashboard([]byte(cm.Data[file]), opts.metrics) {
				p.addf("%s %s: %w", name, file, err)
			}
		}
		if size > maxConfigMapBytes {
			p.addf("%s: %d bytes, over %d: kubectl apply cannot store it in its annotation", name, size, maxConfigMapBytes)
		}
	}
	if found == 0 {
		p.addf("no Grafana dashboard ConfigMap (label %s: \"1\") rendered", dashboardLabel)
	}
}

// dashboardConfigMaps returns the rendered ConfigMaps labelled for the sidecar.
func dashboardConfigMaps(m *manifest) []*corev1.ConfigMap {
	var out []*corev1.ConfigMap
	for _, cm := range m.configMaps {
		if cm.Labels[dashboardLabel] == "1" {
			out = append(out, cm)
		}
	}
	return out
}

// readDashboard returns the dashboard file's bytes.
func readDashboard() ([]byte, error) {
	return os.ReadFile(dashboardPath)
}
