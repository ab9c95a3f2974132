//! Lays a package's step graph out in topological layers, as coordinates for the SVG template.

use std::collections::HashMap;

use serde::Serialize;

const BOX_W: u32 = 160;
const BOX_H: u32 = 46;
const GAP_X: u32 = 36;
const GAP_Y: u32 = 14;
const PAD: u32 = 8;
const LABEL_CHARS: usize = 21;

/// One step to draw.
pub(crate) struct Step {
    pub id: String,
    pub label: String,
    /// A CSS class: the step's status (`succeeded`, `running`, …, or `waiting`).
    pub status: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Node {
    pub id: String,
    pub label: String,
    pub title: String,
    pub status: String,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct Edge {
    pub d: String,
    pub status: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Drawing {
    pub width: u32,
    pub height: u32,
    pub box_w: u32,
    pub box_h: u32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Each step's layer is its longest distance from a root, so every edge points rightwards.
/// Edges naming unknown steps are ignored; a cycle (which validation forbids) ends in layer 0.
fn layers(steps: &[Step], edges: &[(String, String)]) -> Vec<usize> {
    let index: HashMap<&str, usize> = steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let pairs: Vec<(usize, usize)> =
        edges.iter().filter_map(|(a, b)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?))).collect();
    let mut indegree = vec![0usize; steps.len()];
    for &(_, b) in &pairs {
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; steps.len()];
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| indegree[i] == 0).collect();
    while let Some(a) = ready.pop() {
        for &(from, to) in &pairs {
            if from == a {
                layer[to] = layer[to].max(layer[a] + 1);
                indegree[to] -= 1;
                if indegree[to] == 0 {
                    ready.push(to);
                }
            }
        }
    }
    layer
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(LABEL_CHARS - 1).collect::<String>())
    }
}

pub(crate) fn layout(steps: &[Step], edges: &[(String, String)]) -> Drawing {
    let layer = layers(steps, edges);
    let mut rows = vec![0u32; layer.iter().max().map_or(0, |m| m + 1)];
    let mut at = HashMap::new();
    let nodes: Vec<Node> = steps
        .iter()
        .zip(&layer)
        .map(|(s, &l)| {
            let (x, y) = (PAD + l as u32 * (BOX_W + GAP_X), PAD + rows[l] * (BOX_H + GAP_Y));
            rows[l] += 1;
            at.insert(s.id.as_str(), (x, y, s.status.as_str()));
            Node { id: s.id.clone(), label: shorten(&s.label), title: s.label.clone(), status: s.status.clone(), x, y }
        })
        .collect();
    let edges = edges
        .iter()
        .filter_map(|(a, b)| {
            let (&(x1, y1, status), &(x2, y2, _)) = (at.get(a.as_str())?, at.get(b.as_str())?);
            let (sx, sy, ex, ey) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
            let mid = (sx + ex) / 2;
            Some(Edge { d: format!("M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}"), status: status.to_string() })
        })
        .collect();
    let columns = rows.len() as u32;
    let tallest = rows.iter().copied().max().unwrap_or(0);
    Drawing {
        width: 2 * PAD + columns * BOX_W + columns.saturating_sub(1) * GAP_X,
        height: 2 * PAD + tallest * BOX_H + tallest.saturating_sub(1) * GAP_Y,
        box_w: BOX_W,
        box_h: BOX_H,
        nodes,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str) -> Step {
        Step { id: id.into(), label: id.into(), status: "pending".into() }
    }

    #[test]
    fn layers_follow_the_longest_path() {
        let steps = [step("a"), step("b"), step("c"), step("d")];
        let e = |a: &str, b: &str| (a.to_string(), b.to_string());
        // a → b → d and a → d: d sits after b, not next to it.
        let edges = [e("a", "b"), e("b", "d"), e("a", "d"), e("a", "c"), e("x", "a")];
        assert_eq!(layers(&steps, &edges), [0, 1, 1, 2]);
        let drawing = layout(&steps, &edges);
        assert_eq!(drawing.nodes[3].x, PAD + 2 * (BOX_W + GAP_X));
        assert_eq!((drawing.nodes[1].y, drawing.nodes[2].y), (PAD, PAD + BOX_H + GAP_Y));
        assert_eq!(drawing.edges.len(), 4, "the edge from an unknown step is left out");
        assert_eq!(drawing.width, 2 * PAD + 3 * BOX_W + 2 * GAP_X);
    }

    #[test]
    fn long_labels_are_shortened() {
        let label = "A very long step name that would overflow its box";
        let d = layout(&[Step { id: "a".into(), label: label.into(), status: "running".into() }], &[]);
        assert_eq!(d.nodes[0].label.chars().count(), LABEL_CHARS);
        assert_eq!(d.nodes[0].title, label);
    }
}
