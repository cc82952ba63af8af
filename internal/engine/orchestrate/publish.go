package orchestrate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
)

// Publish prints the report of an executed run: the table, each failure
// with the tail of its log, the outputs (deploy, outputs), what an
// interrupt left; it writes report.json to the run directory and appends
// the GitHub step summary. A run that had nothing to do publishes nothing.
func (p *Prepared) Publish(rep *report.Report) error {
	if p.empty() {
		return nil
	}
	req := p.req
	fmt.Fprintln(req.Out)
	rep.WriteTable(req.Out)
	printFailures(req.Out, req.Root, rep)
	if req.Op == runner.Deploy || req.Op == runner.Outputs {
		printOutputs(req.Out, rep, req.JSON)
	}
	if rep.Interrupted && req.Op != runner.Outputs && !closed(req.Hard) {
		// A CLI that died on its interrupt may have left its lock: clear the
		// ones whose holder is provably dead now, not on the next run.
		if notes, err := p.session.ClearStaleLocks(p.selected); err == nil {
			for _, line := range notes {
				fmt.Fprintln(req.Out, "note: "+line)
			}
		}
	}
	if rep.Interrupted {
		printInterrupted(req.Out, rep, req.Hard)
	}
	if err := rep.WriteJSON(filepath.Join(p.runDir, "report.json")); err != nil {
		return err
	}
	if _, err := rep.AppendGitHubSummary(); err != nil {
		return err
	}
	fmt.Fprintf(req.Out, "report: %s\n", rel(req.Root, filepath.Join(p.runDir, "report.json")))
	return nil
}

// printInterrupted says what an interrupted run left: after a second
// Ctrl-C (hard closed), the projects killed mid-operation.
func printInterrupted(w io.Writer, rep *report.Report, hard <-chan struct{}) {
	if !closed(hard) {
		fmt.Fprintln(w, "interrupted: in-flight operations were cancelled and their stacks unlocked (each saved its state); run the same command again to continue")
		return
	}
	var left []string
	for _, row := range rep.Rows {
		if row.Result == report.Interrupted && row.Error != "" {
			left = append(left, row.Project)
		}
	}
	fmt.Fprintf(w, "aborted: the projects running were killed (%s): their stacks may stay locked and hold pending operations; "+
		"run the same command again: it clears the locks it proves stale and names any pending operation (docs/runbooks/state-locks.md)\n",
		strings.Join(left, ", "))
}

func printFailures(w io.Writer, root string, rep *report.Report) {
	mask := rep.Masker
	for _, row := range rep.Rows {
		if row.Result != report.Failed {
			continue
		}
		fmt.Fprintf(w, "\n✗ %s failed: %s\n", row.Project, mask.String(row.Error))
		if row.Log != "" {
			if tail := mask.String(tailFile(row.Log, 15)); tail != "" {
				fmt.Fprintf(w, "  last lines of %s:\n", rel(root, row.Log))
				for _, l := range strings.Split(tail, "\n") {
					fmt.Fprintf(w, "  │ %s\n", l)
				}
			}
			fmt.Fprintf(w, "  full log: %s\n", rel(root, row.Log))
		}
	}
}

func printOutputs(w io.Writer, rep *report.Report, asJSON bool) {
	all := map[string]map[string]any{}
	for _, row := range rep.Rows {
		if len(row.Outputs) > 0 {
			all[row.Project] = row.Outputs
		}
	}
	if len(all) == 0 {
		return
	}
	if asJSON {
		data, _ := json.MarshalIndent(all, "", "  ")
		fmt.Fprintln(w, string(data))
		return
	}
	fmt.Fprintln(w, "\nOutputs:")
	for _, row := range rep.Rows {
		outs := all[row.Project]
		if len(outs) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s\n", row.Project)
		keys := make([]string, 0, len(outs))
		for k := range outs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := outs[k]
			s, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				s = string(b)
			}
			fmt.Fprintf(w, "    %-20s %s\n", k+":", s)
		}
	}
}

func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
