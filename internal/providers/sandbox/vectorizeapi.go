package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// The fake Cloudflare Vectorize v2 REST API. It serves, under
// <CloudflareAPIURL>/accounts/{account_id}/vectorize/v2/indexes, the calls
// the in-repo Vectorize provider makes (create, get, list, delete), with
// Cloudflare's {success, errors, messages, result} envelope, a bearer token
// check, and the same cloud.json as the fake providers (objects of type
// vectorize:index:Index), so Worker bindings can reference the indexes.

var errVectorizeDuplicate = errors.New("duplicate index")

type cfError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type envelope struct {
	Success  bool      `json:"success"`
	Errors   []cfError `json:"errors"`
	Messages []any     `json:"messages"`
	Result   any       `json:"result"`
}

type indexConfig struct {
	Dimensions int    `json:"dimensions"`
	Metric     string `json:"metric"`
}

type indexBody struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Config      indexConfig `json:"config"`
	CreatedOn   string      `json:"created_on,omitempty"`
	ModifiedOn  string      `json:"modified_on,omitempty"`
}

func writeEnvelope(w http.ResponseWriter, status int, result any, errs ...cfError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if errs == nil {
		errs = []cfError{}
	}
	_ = json.NewEncoder(w).Encode(envelope{Success: len(errs) == 0, Errors: errs, Messages: []any{}, Result: result})
}

func indexOf(o *Object) indexBody {
	return indexBody{
		Name: str(o.Props, "name"), Description: str(o.Props, "description"),
		Config:    indexConfig{Dimensions: int(num(o.Props, "dimensions")), Metric: str(o.Props, "metric")},
		CreatedOn: str(o.Props, "createdOn"), ModifiedOn: str(o.Props, "createdOn"),
	}
}

// vectorizeAPI returns the handler of the fake API for cloud.
func vectorizeAPI(cloud *Cloud) http.Handler {
	mux := http.NewServeMux()
	const base = "/client/v4/accounts/{account}/vectorize/v2/indexes"
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || strings.TrimSpace(tok) == "" {
				writeEnvelope(w, http.StatusUnauthorized, nil, cfError{10000, "Authentication error"})
				return
			}
			h(w, r)
		}
	}
	internal := func(w http.ResponseWriter, err error) {
		writeEnvelope(w, http.StatusInternalServerError, nil, cfError{10001, err.Error()})
	}
	mux.HandleFunc("POST "+base, auth(func(w http.ResponseWriter, r *http.Request) {
		var body indexBody
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, cfError{40026, "vectorize.invalid_body: " + err.Error()})
			return
		}
		acc := r.PathValue("account")
		props := map[string]any{
			"accountId": acc, "name": body.Name, "dimensions": float64(body.Config.Dimensions),
			"metric": body.Config.Metric, "description": body.Description,
		}
		k := kinds[VectorizeIndexType]
		if fails := k.validate(props, nil); len(fails) > 0 {
			writeEnvelope(w, http.StatusBadRequest, nil, cfError{40002, fmt.Sprintf("vectorize.invalid_index: %s: %s", fails[0].Property, fails[0].Reason)})
			return
		}
		var created *Object
		err := cloud.transact(true, func(st *state) error {
			o := &Object{Type: VectorizeIndexType, Props: props}
			if err := k.create(st, o); err != nil {
				return err
			}
			if err := checkFault(cloud.dir, "create", VectorizeIndexType, o.Name); err != nil {
				return err
			}
			st.put(o)
			created = o
			return nil
		})
		switch {
		case errors.Is(err, errVectorizeDuplicate):
			writeEnvelope(w, http.StatusConflict, nil, cfError{3002, fmt.Sprintf("vectorize.index.duplicate_name: an index named %q already exists", body.Name)})
		case err != nil:
			internal(w, err)
		default:
			writeEnvelope(w, http.StatusOK, indexOf(created))
		}
	}))
	mux.HandleFunc("GET "+base, auth(func(w http.ResponseWriter, r *http.Request) {
		acc := r.PathValue("account")
		list := []indexBody{}
		err := cloud.transact(false, func(st *state) error {
			for _, o := range st.all(VectorizeIndexType) {
				if str(o.Props, "accountId") == acc {
					list = append(list, indexOf(o))
				}
			}
			return nil
		})
		if err != nil {
			internal(w, err)
			return
		}
		writeEnvelope(w, http.StatusOK, list)
	}))
	mux.HandleFunc("GET "+base+"/{name}", auth(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("account") + "/" + r.PathValue("name")
		var found *indexBody
		err := cloud.transact(false, func(st *state) error {
			if o := st.byKey(VectorizeIndexType, key); o != nil {
				b := indexOf(o)
				found = &b
			}
			return nil
		})
		switch {
		case err != nil:
			internal(w, err)
		case found == nil:
			writeEnvelope(w, http.StatusNotFound, nil, cfError{3000, "vectorize.index.not_found"})
		default:
			writeEnvelope(w, http.StatusOK, found)
		}
	}))
	mux.HandleFunc("DELETE "+base+"/{name}", auth(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("account") + "/" + r.PathValue("name")
		missing := false
		err := cloud.transact(true, func(st *state) error {
			o := st.byKey(VectorizeIndexType, key)
			if o == nil {
				missing = true
				return nil
			}
			if err := checkFault(cloud.dir, "delete", VectorizeIndexType, o.Name); err != nil {
				return err
			}
			st.remove(o)
			return nil
		})
		switch {
		case err != nil:
			internal(w, err)
		case missing:
			writeEnvelope(w, http.StatusNotFound, nil, cfError{3000, "vectorize.index.not_found"})
		default:
			writeEnvelope(w, http.StatusOK, nil)
		}
	}))
	return mux
}

// serveVectorizeAPI serves the fake API on loopback; it returns the base
// URL (".../client/v4") and a stop function.
func serveVectorizeAPI(cloud *Cloud) (string, func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: listen for the fake Cloudflare API: %w", err)
	}
	srv := &http.Server{Handler: vectorizeAPI(cloud), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	return "http://" + lis.Addr().String() + "/client/v4", func() { _ = srv.Close() }, nil
}
