// IR invariant checks, run after import and after every pass in debug builds.
//
// VerifyGraph(g) checks, recursively into If/Loop/Scan subgraphs:
// - value names are unique within a graph;
// - every node input is produced by a node of the same graph, a constant, a graph input or
//   an outer-scope capture; a capture names a value (or capture) of the immediate parent
//   graph, so names captured by nested subgraphs are captures of every graph in between;
// - values a node's subgraphs capture from the node's graph (implicit inputs) are produced
//   before the node, like its explicit inputs;
// - producer links and use lists agree (each output's producer is its node, each use is
//   listed on its input value and vice versa), and no value has two producers;
// - g.nodes() is in topological order (which also rules out cycles);
// - graph outputs exist and are defined; subgraphs point at their owning graph.
// Errors are INTERNAL (a broken IR is a bug in import or a pass) and name the graph, node
// and value involved. Thread safety: reads the graph only.
#pragma once

#include "engine/base/status.h"
#include "engine/graph/graph.h"

namespace trt::graph {

Status VerifyGraph(const Graph& g);

}  // namespace trt::graph
