package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/flows/template"
)

// newFlows is `boomerang flows`: validate and list flow files.
func newFlows(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flows",
		Short: "Check and list flows (validate DIR, list)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newFlowsValidate(stdio), newFlowsList(stdio))
	return cmd
}

func newFlowsValidate(stdio IO) *cobra.Command {
	return &cobra.Command{
		Use:   "validate DIR",
		Short: "Check the flow files in DIR (or one file); print file:line: message per mistake",
		Long: `validate parses and checks every *.yaml and *.yml file in DIR (or the one file named),
prints one "file:line: message" line per mistake and exits 1 when there is any; otherwise
it prints "N flows OK". docs/flows.md is the language reference.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path := args[0]
			var (
				fs   []*flows.Flow
				errs []flows.Error
			)
			if st, err := os.Stat(path); err == nil && !st.IsDir() {
				f, ferrs := flows.ParseFile(path)
				if len(ferrs) == 0 {
					fs = append(fs, f)
				}
				errs = ferrs
			} else {
				fs, errs = flows.LoadDir(path)
			}
			msgs := make([]string, 0, len(errs))
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if len(errs) == 0 {
				tmpl, err := templateMistakes(fs)
				if err != nil {
					return err
				}
				msgs = append(msgs, tmpl...)
			}
			for _, m := range msgs {
				if _, err := fmt.Fprintln(stdio.Stdout, m); err != nil {
					return err
				}
			}
			if len(msgs) > 0 {
				return &exitError{1, fmt.Errorf("%d %s in %s", len(msgs), plural(len(msgs), "mistake", "mistakes"), path)}
			}
			_, err := fmt.Fprintf(stdio.Stdout, "%d flows OK\n", len(fs))
			return err
		},
	}
}

func newFlowsList(stdio IO) *cobra.Command {
	var dir string
	flag := flagName("BOOMERANG_FLOWS")
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the flows that would run: the built-in library and the files of BOOMERANG_FLOWS",
		Long: `list prints one line per flow, tab-separated: id, version, trigger event (several joined
with ","), and source ("builtin" or the file). A file in the flows directory whose id matches a
built-in flow replaces it. Mistakes in the files go to standard error and the exit code is 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed(flag) {
				dir = stdio.Getenv("BOOMERANG_FLOWS")
			}
			fs, errs := flows.Load(dir)
			for _, f := range fs {
				events := make([]string, 0, 1+len(f.MoreTriggers))
				for _, t := range f.Triggers() {
					events = append(events, t.Event)
				}
				if _, err := fmt.Fprintf(stdio.Stdout, "%s\t%d\t%s\t%s\n",
					f.ID, f.Version, strings.Join(events, ","), f.Source); err != nil {
					return err
				}
			}
			for _, e := range errs {
				fmt.Fprintln(stdio.Stderr, e.Error())
			}
			if len(errs) > 0 {
				return &exitError{1, fmt.Errorf("%d %s in %s; those files are left out",
					len(errs), plural(len(errs), "mistake", "mistakes"), dir)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, flag, "", "directory of flow files, replacing or adding to the built-in library ($BOOMERANG_FLOWS)")
	return cmd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// templateMistakes checks that every send names a template of the built-in
// library of its channel, and that transactional sends name templates with
// no promotion; one "file:line: message" per mistake.
func templateMistakes(fs []*flows.Flow) ([]string, error) {
	lib, err := template.Default()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		p, err := flows.Compile(f)
		if err != nil {
			return nil, err
		}
		for _, ins := range p.Code {
			if ins.Op != flows.OpSend {
				continue
			}
			if ins.Send.Channel == event.ChannelEmail && strings.HasPrefix(ins.Send.Template, "d-") {
				continue // a SendGrid dynamic template, rendered by SendGrid
			}
			u := template.Use{Flow: f.ID, Step: ins.StepID, Template: ins.Send.Template, Channel: ins.Send.Channel, Category: ins.Send.Category}
			for _, e := range lib.Validate([]template.Use{u}) {
				out = append(out, fmt.Sprintf("%s:%d: %v", f.Source, ins.Line, e))
			}
		}
	}
	return out, nil
}
