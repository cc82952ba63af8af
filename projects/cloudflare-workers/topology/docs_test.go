package topology

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cloudflareDoc is the reference page whose Worker tables this package's
// declaration must match.
const cloudflareDoc = "../../../docs/cloudflare.md"

// row returns the line of the table row whose first cell is name.
func row(doc, name string) (string, bool) {
	for _, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(l, "| "+name+" |") {
			return l, true
		}
	}
	return "", false
}

// TestDocsTablesMatchTheDeclaration checks the tables of docs/cloudflare.md
// against Workers: a bindings row per Worker naming each binding, and a
// queues row per consumed queue naming its consumer, settings and
// dead-letter queue.
func TestDocsTablesMatchTheDeclaration(t *testing.T) {
	data, err := os.ReadFile(filepath.FromSlash(cloudflareDoc))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, w := range Workers {
		l, ok := row(doc, w.Name)
		if !ok {
			t.Errorf("docs/cloudflare.md: no row | %s | in the Bindings table", w.Name)
			continue
		}
		for _, b := range w.Bindings {
			if !strings.Contains(l, "`"+b.Name+"`") {
				t.Errorf("docs/cloudflare.md: the row of %s does not name binding `%s`: %s", w.Name, b.Name, l)
			}
		}
	}
	for _, c := range Consumers() {
		l, ok := row(doc, c.Queue)
		s := c.Settings
		want := fmt.Sprintf("%s: %d, %d, %d, %d", c.Worker, s.BatchSize, s.MaxWaitTimeMs, s.MaxRetries, s.RetryDelay)
		switch {
		case !ok:
			t.Errorf("docs/cloudflare.md: no row | %s | in the Queues table", c.Queue)
		case !strings.Contains(l, want):
			t.Errorf("docs/cloudflare.md: the row of queue %s does not say %q: %s", c.Queue, want, l)
		case c.DeadLetterQueue != "" && !strings.Contains(l, "`"+c.DeadLetterQueue+"`"):
			t.Errorf("docs/cloudflare.md: the row of queue %s does not name its dead-letter queue `%s`: %s", c.Queue, c.DeadLetterQueue, l)
		}
	}
}
