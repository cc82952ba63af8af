package stackconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/layout"
	"github.com/goccy/go-yaml"
)

// ReadFile reads projects/<project>/Pulumi.<stack>.yaml under root into the
// flat "<namespace>:<key>" map the engine passes to programs (structured
// values JSON-encoded), and lists the keys stored as secrets. Secret values
// stay encrypted: they are good for presence checks, never for use.
func ReadFile(root, project, stack string) (map[string]string, []string, error) {
	path := layout.StackConfigFile(root, project, stack)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", layout.Rel(root, path), err)
	}
	values := map[string]string{}
	var secrets []string
	for k, v := range file.Config {
		if !strings.Contains(k, ":") {
			k = project + ":" + k
		}
		switch x := v.(type) {
		case string:
			values[k] = x
		case map[string]any:
			if sec, ok := x["secure"]; ok && len(x) == 1 {
				values[k] = fmt.Sprint(sec)
				secrets = append(secrets, k)
				continue
			}
			b, _ := json.Marshal(x)
			values[k] = string(b)
		default:
			b, _ := json.Marshal(x)
			values[k] = string(b)
		}
	}
	sort.Strings(secrets)
	return values, secrets, nil
}
