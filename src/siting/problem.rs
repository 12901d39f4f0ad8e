//! The covering problem behind site selection: demand elements with weights (population not yet
//! covered), candidate sites each covering a set of elements, and rule constraints.

/// A covering problem.
///
/// ```
/// use lifecircle::siting::CoverProblem;
/// // Element weights 5, 3, 2; candidate 0 covers {0, 1}, candidate 1 covers {1, 2}.
/// let p = CoverProblem::new(vec![5.0, 3.0, 2.0], &[vec![0, 1], vec![1, 2]]);
/// assert_eq!(p.covered_weight(&[0]), 8.0);
/// assert_eq!(p.covered_weight(&[0, 1]), 10.0);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoverProblem {
    /// Weight of each demand element (population).
    pub weights: Vec<f64>,
    /// Candidate `j` covers `elements[offsets[j]..offsets[j + 1]]`.
    pub offsets: Vec<usize>,
    /// Covered elements, grouped by candidate, sorted within a candidate.
    pub elements: Vec<u32>,
    /// Groups of candidates of which at least one must be chosen (e.g. the candidates in a zone
    /// that lacks a 颐康中心).
    pub at_least_one: Vec<Vec<u32>>,
    /// Groups of candidates with a maximum number chosen (e.g. a budget per district).
    pub at_most: Vec<(Vec<u32>, usize)>,
}

impl CoverProblem {
    /// A problem from element weights and the element set of each candidate.
    pub fn new(weights: Vec<f64>, sets: &[Vec<u32>]) -> Self {
        let mut offsets = Vec::with_capacity(sets.len() + 1);
        let mut elements = Vec::new();
        offsets.push(0);
        for s in sets {
            let mut s = s.clone();
            s.sort_unstable();
            s.dedup();
            debug_assert!(s.iter().all(|&e| (e as usize) < weights.len()));
            elements.extend(s);
            offsets.push(elements.len());
        }
        CoverProblem {
            weights,
            offsets,
            elements,
            ..Default::default()
        }
    }

    /// Number of candidates.
    pub fn candidates(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The elements candidate `j` covers.
    #[inline]
    pub fn covers(&self, j: usize) -> &[u32] {
        &self.elements[self.offsets[j]..self.offsets[j + 1]]
    }

    /// Total weight covered by a set of candidates.
    pub fn covered_weight(&self, chosen: &[u32]) -> f64 {
        let mut hit = vec![false; self.weights.len()];
        for &j in chosen {
            for &e in self.covers(j as usize) {
                hit[e as usize] = true;
            }
        }
        hit.iter()
            .zip(&self.weights)
            .filter(|(h, _)| **h)
            .map(|(_, w)| w)
            .sum::<f64>()
            + 0.0 // the empty sum is -0.0
    }

    /// Weight no candidate can cover.
    pub fn uncoverable_weight(&self) -> f64 {
        let mut hit = vec![false; self.weights.len()];
        for &e in &self.elements {
            hit[e as usize] = true;
        }
        hit.iter()
            .zip(&self.weights)
            .filter(|(h, _)| !**h)
            .map(|(_, w)| w)
            .sum::<f64>()
            + 0.0 // the empty sum is -0.0
    }

    /// Whether `chosen` satisfies the rule constraints.
    pub fn feasible(&self, chosen: &[u32]) -> bool {
        self.at_least_one
            .iter()
            .all(|g| g.iter().any(|c| chosen.contains(c)))
            && self
                .at_most
                .iter()
                .all(|(g, b)| g.iter().filter(|c| chosen.contains(c)).count() <= *b)
    }

    /// An equivalent, usually much smaller problem: elements covered by exactly the same
    /// candidates are merged (their weights summed) and elements no candidate covers are dropped.
    /// Candidate indices are unchanged.
    pub fn reduced(&self) -> CoverProblem {
        // Transpose: for every element, the sorted list of candidates covering it.
        let n = self.weights.len();
        let mut count = vec![0usize; n + 1];
        for &e in &self.elements {
            count[e as usize + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut by_element = vec![0u32; self.elements.len()];
        for j in 0..self.candidates() {
            for &e in self.covers(j) {
                by_element[fill[e as usize]] = j as u32;
                fill[e as usize] += 1;
            }
        }
        let cols = |e: usize| &by_element[count[e]..count[e + 1]];
        let mut order: Vec<u32> = (0..n as u32)
            .filter(|&e| count[e as usize + 1] > count[e as usize])
            .collect();
        order.sort_by(|&a, &b| cols(a as usize).cmp(cols(b as usize)).then(a.cmp(&b)));
        let mut weights = Vec::new();
        let mut sets: Vec<Vec<u32>> = vec![Vec::new(); self.candidates()];
        let mut i = 0;
        while i < order.len() {
            let key = cols(order[i] as usize);
            let mut w = 0.0;
            let mut k = i;
            while k < order.len() && cols(order[k] as usize) == key {
                w += self.weights[order[k] as usize];
                k += 1;
            }
            let id = weights.len() as u32;
            weights.push(w);
            for &j in key {
                sets[j as usize].push(id);
            }
            i = k;
        }
        let mut p = CoverProblem::new(weights, &sets);
        p.at_least_one = self.at_least_one.clone();
        p.at_most = self.at_most.clone();
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_keeps_every_objective_value() {
        let p = CoverProblem::new(
            vec![1.0, 2.0, 3.0, 4.0, 5.0],
            &[vec![0, 1, 2], vec![1, 2, 3], vec![3]],
        );
        let r = p.reduced();
        // Element 4 is uncoverable; 1 and 2 share {0, 1}: four elements become three.
        assert_eq!(r.weights.len(), 3);
        assert_eq!(p.uncoverable_weight(), 5.0);
        for chosen in [vec![0], vec![1], vec![2], vec![0, 2], vec![0, 1, 2]] {
            assert_eq!(p.covered_weight(&chosen), r.covered_weight(&chosen));
        }
    }
}
