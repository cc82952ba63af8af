package kafkaaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPI is the base URL of the Aiven REST API.
const DefaultAPI = "https://api.aiven.io"

// TokenEnv names the environment variable holding the Aiven API token.
const TokenEnv = "AIVEN_TOKEN"

// Client lists topics through the Aiven REST API.
type Client struct {
	// BaseURL of the API; DefaultAPI when empty.
	BaseURL string
	// Token is the Aiven API token. It is sent in the Authorization header
	// and never appears in an error.
	Token string
	// Timeout bounds one request; 30 s when zero.
	Timeout time.Duration
}

// Topic is one topic as Aiven lists it.
type Topic struct {
	Name        string `json:"topic_name"`
	Partitions  int    `json:"partitions"`
	Replication int    `json:"replication"`
	State       string `json:"state"`
}

// topicList is the answer of GET /v1/project/{project}/service/{service}/topic.
type topicList struct {
	Topics *[]Topic `json:"topics"`
}

// apiError is the shape of Aiven's error answers.
type apiError struct {
	Message string `json:"message"`
	Errors  []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// maxBody bounds the answer read (a service with thousands of topics is a
// few MiB).
const maxBody = 64 << 20

// Topics lists the topics of a Kafka service.
func (c *Client) Topics(ctx context.Context, project, service string) ([]Topic, error) {
	if c.Token == "" {
		return nil, fmt.Errorf("aiven: %s is not set: export an Aiven API token (Aiven console → User information → Tokens) with read access to project %s", TokenEnv, project)
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultAPI
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	endpoint := strings.TrimRight(base, "/") + "/v1/project/" + url.PathEscape(project) + "/service/" + url.PathEscape(service) + "/topic"
	what := fmt.Sprintf("listing the topics of Aiven service %s/%s", project, service)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("aiven: %s: %w", what, err)
	}
	req.Header.Set("Authorization", "aivenv1 "+c.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("aiven: %s: no answer from %s within %s", what, base, timeout)
		}
		return nil, fmt.Errorf("aiven: %s: %s", what, c.scrub(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("aiven: %s: the answer did not arrive within %s", what, timeout)
		}
		return nil, fmt.Errorf("aiven: %s: reading the answer: %s", what, c.scrub(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		msg := c.scrub(errorMessage(body))
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, fmt.Errorf("aiven: %s: %s: the token in %s is invalid, expired or lacks access to project %s (Aiven: %s)", what, resp.Status, TokenEnv, project, msg)
		case http.StatusNotFound:
			return nil, fmt.Errorf("aiven: %s: %s: no such project or service; check aiven.project and aiven.kafkaService in the environment file (Aiven: %s)", what, resp.Status, msg)
		default:
			return nil, fmt.Errorf("aiven: %s: %s (Aiven: %s)", what, resp.Status, msg)
		}
	}
	var list topicList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("aiven: %s: the answer is not the expected JSON: %v", what, err)
	}
	if list.Topics == nil {
		return nil, fmt.Errorf("aiven: %s: the answer has no \"topics\" list", what)
	}
	for i, t := range *list.Topics {
		if t.Name == "" {
			return nil, fmt.Errorf("aiven: %s: topic %d of the answer has no topic_name", what, i)
		}
	}
	return *list.Topics, nil
}

// errorMessage extracts Aiven's message from an error answer, or a short
// excerpt of the body.
func errorMessage(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) == nil {
		if e.Message != "" {
			return e.Message
		}
		if len(e.Errors) > 0 && e.Errors[0].Message != "" {
			return e.Errors[0].Message
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "empty answer"
	}
	return s
}

// scrub removes the token from a message, whatever echoed it.
func (c *Client) scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "[redacted]")
}
