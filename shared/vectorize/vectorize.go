// Package vectorize declares a Cloudflare Vectorize index. The Cloudflare
// provider has no Vectorize index resource, so the repository ships its own
// small provider, package "vectorize" (internal/providers/vectorize in the root module,
// built as bin/pulumi-resource-vectorize), which calls the Cloudflare
// Vectorize v2 REST API. This package is its typed SDK. See
// docs/decisions/0005-vectorize-provider.md.
package vectorize

import (
	"errors"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IndexType is the type token of an index.
const IndexType = "vectorize:index:Index"

// Version is the version of the in-repo provider.
const Version = "0.1.0"

// Metrics accepted by Vectorize.
var Metrics = []string{"cosine", "euclidean", "dot-product"}

// MaxDimensions is the largest vector size Vectorize accepts.
const MaxDimensions = 1536

// Index is a Vectorize index. Its name, dimensions and metric cannot change
// in place: changing any of them replaces the index.
type Index struct {
	pulumi.CustomResourceState

	AccountID   pulumi.StringOutput `pulumi:"accountId"`
	Name        pulumi.StringOutput `pulumi:"name"`
	Dimensions  pulumi.IntOutput    `pulumi:"dimensions"`
	Metric      pulumi.StringOutput `pulumi:"metric"`
	Description pulumi.StringOutput `pulumi:"description"`
	// CreatedOn is the creation time reported by Cloudflare.
	CreatedOn pulumi.StringOutput `pulumi:"createdOn"`
}

// IndexArgs are the inputs of an Index.
type IndexArgs struct {
	AccountID   pulumi.StringInput
	Name        pulumi.StringInput
	Dimensions  pulumi.IntInput
	Metric      pulumi.StringInput
	Description pulumi.StringPtrInput
}

type indexArgs struct {
	AccountID   string  `pulumi:"accountId"`
	Name        string  `pulumi:"name"`
	Dimensions  int     `pulumi:"dimensions"`
	Metric      string  `pulumi:"metric"`
	Description *string `pulumi:"description"`
}

// ElementType implements pulumi.Input.
func (IndexArgs) ElementType() reflect.Type { return reflect.TypeOf((*indexArgs)(nil)).Elem() }

// NewIndex registers an index. The import ID of an existing index is
// "<accountId>/<name>".
func NewIndex(ctx *pulumi.Context, name string, args *IndexArgs, opts ...pulumi.ResourceOption) (*Index, error) {
	if args == nil {
		return nil, errors.New("vectorize: missing required arguments")
	}
	if args.AccountID == nil || args.Name == nil || args.Dimensions == nil || args.Metric == nil {
		return nil, errors.New("vectorize: accountId, name, dimensions and metric are required")
	}
	opts = append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
	var res Index
	if err := ctx.RegisterResource(IndexType, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
