//! The step graph of one package version, built once and shared by every execution pinned to it.
//!
//! Edges point from a dependency to its dependent (`a -> b` means `b` depends on `a`). The graph is
//! a `petgraph` graph; the adjacency lists the hot paths read are precomputed next to it.

use std::collections::VecDeque;
use std::time::Duration;

use petgraph::graph::{DiGraph, NodeIndex};

/// Index of a step within its package (the order of `[[steps]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepIdx(pub u16);

impl StepIdx {
    pub fn from_index(i: usize) -> StepIdx {
        assert!(i <= u16::MAX as usize, "step index {i} out of range");
        StepIdx(i as u16)
    }
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone)]
pub struct Dag {
    graph: DiGraph<StepIdx, ()>,
    predecessors: Vec<Vec<StepIdx>>,
    successors: Vec<Vec<StepIdx>>,
    topo_order: Vec<StepIdx>,
}

impl Dag {
    /// Builds the graph from each step's dependency list; on a cycle returns its steps in order,
    /// first step repeated at the end.
    pub fn new(dependencies: &[Vec<StepIdx>]) -> Result<Dag, Vec<StepIdx>> {
        let n = dependencies.len();
        let mut graph = DiGraph::with_capacity(n, n);
        let nodes: Vec<NodeIndex> = (0..n).map(|i| graph.add_node(StepIdx::from_index(i))).collect();
        let mut successors = vec![Vec::new(); n];
        for (i, deps) in dependencies.iter().enumerate() {
            for dep in deps {
                graph.add_edge(nodes[dep.index()], nodes[i], ());
                successors[dep.index()].push(StepIdx::from_index(i));
            }
        }
        match petgraph::algo::toposort(&graph, None) {
            Ok(order) => Ok(Dag {
                topo_order: order.into_iter().map(|n| graph[n]).collect(),
                graph,
                predecessors: dependencies.to_vec(),
                successors,
            }),
            Err(cycle) => Err(find_cycle(&graph, cycle.node_id())),
        }
    }

    pub fn len(&self) -> usize {
        self.predecessors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.predecessors.is_empty()
    }

    pub fn predecessors(&self, step: StepIdx) -> &[StepIdx] {
        &self.predecessors[step.index()]
    }

    pub fn successors(&self, step: StepIdx) -> &[StepIdx] {
        &self.successors[step.index()]
    }

    pub fn steps(&self) -> impl Iterator<Item = StepIdx> {
        (0..self.len()).map(StepIdx::from_index)
    }

    pub fn roots(&self) -> impl Iterator<Item = StepIdx> + '_ {
        self.steps().filter(|s| self.predecessors(*s).is_empty())
    }

    /// Dependencies before dependents.
    pub fn topo_order(&self) -> &[StepIdx] {
        &self.topo_order
    }

    /// Every step that must finish before `step` may start (transitively).
    pub fn ancestors(&self, step: StepIdx) -> Vec<StepIdx> {
        let mut seen = vec![false; self.len()];
        let mut queue: VecDeque<StepIdx> = self.predecessors(step).iter().copied().collect();
        let mut out = Vec::new();
        while let Some(s) = queue.pop_front() {
            if !std::mem::replace(&mut seen[s.index()], true) {
                out.push(s);
                queue.extend(self.predecessors(s).iter().copied());
            }
        }
        out
    }

    /// Length of the longest path through the steps for which `include` holds, each weighted by
    /// `weights[step]`; excluded steps weigh nothing but still order the others.
    pub fn longest_path(&self, weights: &[Duration], include: impl Fn(StepIdx) -> bool) -> Duration {
        let mut finish = vec![Duration::ZERO; self.len()];
        let mut longest = Duration::ZERO;
        for &s in &self.topo_order {
            let start = self.predecessors(s).iter().map(|p| finish[p.index()]).max().unwrap_or_default();
            let own = if include(s) { weights[s.index()] } else { Duration::ZERO };
            finish[s.index()] = start + own;
            longest = longest.max(finish[s.index()]);
        }
        longest
    }

    /// The petgraph graph, for callers that want its algorithms (e.g. DOT export).
    pub fn graph(&self) -> &DiGraph<StepIdx, ()> {
        &self.graph
    }
}

/// Finds a concrete cycle through `start` (which toposort reported as being on one).
fn find_cycle(graph: &DiGraph<StepIdx, ()>, start: NodeIndex) -> Vec<StepIdx> {
    // Breadth-first from `start` until an edge leads back to it; parents give the path.
    let mut parent = vec![None; graph.node_count()];
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.neighbors(node) {
            if next == start {
                let mut path = vec![graph[node]];
                let mut cur = node;
                while let Some(p) = parent[cur.index()] {
                    path.push(graph[p]);
                    cur = p;
                }
                path.reverse();
                path.push(graph[start]);
                return path;
            }
            if parent[next.index()].is_none() && next != start {
                parent[next.index()] = Some(node);
                queue.push_back(next);
            }
        }
    }
    // toposort's node may sit downstream of a cycle rather than on it; fall back to any cycle.
    let scc = petgraph::algo::tarjan_scc(graph).into_iter().find(|c| c.len() > 1 || graph.contains_edge(c[0], c[0]));
    match scc {
        Some(c) if c[0] != start => find_cycle(graph, c[0]),
        _ => vec![graph[start], graph[start]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(v: &[u16]) -> Vec<StepIdx> {
        v.iter().map(|&i| StepIdx(i)).collect()
    }

    #[test]
    fn builds_adjacency_and_order() {
        // 0 -> 1 -> 3, 0 -> 2 -> 3
        let dag = Dag::new(&[idx(&[]), idx(&[0]), idx(&[0]), idx(&[1, 2])]).unwrap();
        assert_eq!(dag.successors(StepIdx(0)), idx(&[1, 2]).as_slice());
        assert_eq!(dag.roots().collect::<Vec<_>>(), idx(&[0]));
        let pos = |s: u16| dag.topo_order().iter().position(|x| x.0 == s).unwrap();
        assert!(pos(0) < pos(1) && pos(1) < pos(3) && pos(2) < pos(3));
        let mut anc = dag.ancestors(StepIdx(3));
        anc.sort();
        assert_eq!(anc, idx(&[0, 1, 2]));
    }

    #[test]
    fn names_the_cycle() {
        // 0 -> 1 -> 2 -> 1
        let cycle = Dag::new(&[idx(&[]), idx(&[0, 2]), idx(&[1])]).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 3);
        assert!(cycle.contains(&StepIdx(1)) && cycle.contains(&StepIdx(2)));
    }

    #[test]
    fn self_loop_is_a_cycle() {
        assert_eq!(Dag::new(&[idx(&[0])]).unwrap_err(), idx(&[0, 0]));
    }

    #[test]
    fn longest_path_weights_included_steps() {
        let dag = Dag::new(&[idx(&[]), idx(&[0]), idx(&[0]), idx(&[1, 2])]).unwrap();
        let w = [1, 5, 2, 1].map(Duration::from_secs);
        assert_eq!(dag.longest_path(&w, |_| true), Duration::from_secs(7));
        assert_eq!(dag.longest_path(&w, |s| s.0 != 1), Duration::from_secs(4));
    }
}
