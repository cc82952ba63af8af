package graph

import "github.com/clustera/infra/shared/contracts"

// Projects returns the graph of the repository's projects, from the
// upstreams each declares in shared/contracts: the orchestrator needs no
// program to know the order.
func Projects() (*Graph, error) { return New(contracts.Dependencies()) }
