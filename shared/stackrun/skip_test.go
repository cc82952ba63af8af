package stackrun

import "testing"

func TestSkipperAnswersOnlyWhatTheTaskNeedsNoAnswerFrom(t *testing.T) {
	for _, c := range []struct {
		exists bool
		args   []string
		skip   bool
		out    string
	}{
		{true, []string{"--non-interactive", "stack", "select", "--stack", "local"}, true, ""},
		{false, []string{"--non-interactive", "stack", "select", "--stack", "local"}, false, ""},
		{true, []string{"stack", "select", "--create", "--stack", "local"}, false, ""},
		{true, []string{"stack", "history", "--json", "--page-size", "1", "--page", "1", "--stack", "local"}, true, "[]"},
		{true, []string{"stack", "history", "--json", "--stack", "local"}, false, ""},
		{true, []string{"up", "--yes", "--stack", "local"}, false, ""},
		{true, []string{"stack", "output", "--json", "--stack", "local"}, false, ""},
	} {
		out, ok := skipper(Task{Exists: c.exists})(c.args)
		if ok != c.skip || out != c.out {
			t.Errorf("exists=%v %v: skip %v %q, want %v %q", c.exists, c.args, ok, out, c.skip, c.out)
		}
	}
}
