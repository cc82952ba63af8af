package vectorize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultBaseURL is Cloudflare's API.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

// index is an index as the Vectorize v2 API describes it.
type index struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Config      indexConfig `json:"config"`
	CreatedOn   string      `json:"created_on,omitempty"`
	ModifiedOn  string      `json:"modified_on,omitempty"`
}

type indexConfig struct {
	Dimensions int    `json:"dimensions"`
	Metric     string `json:"metric"`
}

// apiError is a failed call: the HTTP status and the envelope's errors.
type apiError struct {
	Method, Path string
	Status       int
	Errors       []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
}

func (e *apiError) Error() string {
	var msgs []string
	for _, x := range e.Errors {
		msgs = append(msgs, fmt.Sprintf("[%d] %s", x.Code, x.Message))
	}
	if len(msgs) == 0 {
		msgs = append(msgs, http.StatusText(e.Status))
	}
	hint := ""
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		hint = " (check the API token: vectorize:apiToken or CLOUDFLARE_API_TOKEN, with Vectorize Edit permission)"
	}
	return fmt.Sprintf("cloudflare API %s %s: %d: %s%s", e.Method, e.Path, e.Status, strings.Join(msgs, "; "), hint)
}

func isStatus(err error, status int) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == status
}

// client calls the Vectorize v2 API. The token is sent as a bearer token
// and never appears in errors.
type client struct {
	base  string
	token string
	http  *http.Client
}

func (c *client) indexesPath(accountID string) string {
	return "/accounts/" + url.PathEscape(accountID) + "/vectorize/v2/indexes"
}

// do calls the API and decodes the envelope's result into out.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.base, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("cloudflare API %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cloudflare API %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return fmt.Errorf("cloudflare API %s %s: read response: %w", method, path, err)
	}
	var env struct {
		Success bool            `json:"success"`
		Errors  json.RawMessage `json:"errors"`
		Result  json.RawMessage `json:"result"`
	}
	ae := &apiError{Method: method, Path: path, Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &env); err != nil {
		if resp.StatusCode >= 300 {
			return ae
		}
		return fmt.Errorf("cloudflare API %s %s: %d: response is not a Cloudflare envelope: %w", method, path, resp.StatusCode, err)
	}
	if len(env.Errors) > 0 {
		_ = json.Unmarshal(env.Errors, &ae.Errors)
	}
	if resp.StatusCode >= 300 || !env.Success {
		return ae
	}
	if out != nil && len(env.Result) > 0 && string(env.Result) != "null" {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("cloudflare API %s %s: decode result: %w", method, path, err)
		}
	}
	return nil
}

func (c *client) create(ctx context.Context, accountID string, idx index) (index, error) {
	var out index
	err := c.do(ctx, http.MethodPost, c.indexesPath(accountID), idx, &out)
	return out, err
}

func (c *client) get(ctx context.Context, accountID, name string) (index, error) {
	var out index
	err := c.do(ctx, http.MethodGet, c.indexesPath(accountID)+"/"+url.PathEscape(name), nil, &out)
	return out, err
}

func (c *client) delete(ctx context.Context, accountID, name string) error {
	return c.do(ctx, http.MethodDelete, c.indexesPath(accountID)+"/"+url.PathEscape(name), nil, nil)
}
