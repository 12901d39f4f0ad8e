//! Site selection against brute-force enumeration on small random instances.

mod common;

use lifecircle::siting::{
    greedy, greedy_cover, improve_by_swaps, lscp_exact, mclp_exact, CoverProblem,
};
use proptest::prelude::*;

fn instance() -> impl Strategy<Value = (CoverProblem, usize)> {
    (2usize..9, 1usize..14).prop_flat_map(|(nc, ne)| {
        (
            prop::collection::vec(0u32..100, ne),
            prop::collection::vec(prop::collection::vec(0..ne as u32, 0..ne.min(5) + 1), nc),
            1..nc.min(4) + 1,
            prop::option::of((0..nc as u32, 0..nc as u32)),
        )
            .prop_map(move |(w, sets, k, group)| {
                let mut p = CoverProblem::new(w.into_iter().map(f64::from).collect(), &sets);
                if let Some((a, b)) = group {
                    p.at_least_one.push(vec![a, b]);
                }
                (p, k)
            })
    })
}

/// Every subset of exactly `k` candidates (or all of them when fewer) satisfying the rules.
fn subsets(n: usize, k: usize) -> Vec<Vec<u32>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == k.min(n))
        .map(|m| (0..n as u32).filter(|j| m >> j & 1 == 1).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mclp_exact_equals_enumeration((p, k) in instance()) {
        let best = subsets(p.candidates(), k)
            .into_iter()
            .filter(|s| p.feasible(s))
            .map(|s| p.covered_weight(&s))
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
        let exact = mclp_exact(&p.reduced(), k, 10.0);
        match best {
            None => prop_assert!(exact.is_none() || !p.feasible(&exact.unwrap().selection.chosen)),
            Some(best) => {
                let e = exact.expect("solved");
                prop_assert!(e.optimal);
                prop_assert!(p.feasible(&e.selection.chosen));
                prop_assert_eq!(p.covered_weight(&e.selection.chosen), best);
                // The heuristics never beat the optimum, and the swaps never lose weight.
                let g = greedy(&p, k);
                let s = improve_by_swaps(&p, &g, 100);
                prop_assert!(g.covered <= best + 1e-9 && s.covered <= best + 1e-9);
                prop_assert!(s.covered >= g.covered - 1e-9);
                prop_assert_eq!(p.covered_weight(&s.chosen), s.covered);
                if p.feasible(&g.chosen) {
                    prop_assert!(p.feasible(&s.chosen));
                }
            }
        }
    }

    #[test]
    fn lscp_exact_equals_enumeration((p, _k) in instance(), share in 0.3f64..1.0) {
        let coverable: f64 = p.weights.iter().sum::<f64>() - p.uncoverable_weight();
        let target = (coverable * share).floor();
        let n = p.candidates();
        let best = (0..=n).find(|&k| {
            subsets(n, k).into_iter().any(|s| p.feasible(&s) && p.covered_weight(&s) >= target)
        });
        let exact = lscp_exact(&p.reduced(), target, 10.0);
        match best {
            None => prop_assert!(exact.is_none()),
            Some(kmin) => {
                let e = exact.expect("solved");
                prop_assert!(e.optimal);
                prop_assert_eq!(e.selection.chosen.len(), kmin);
                prop_assert!(p.covered_weight(&e.selection.chosen) >= target);
                if let Some(g) = greedy_cover(&p, target) {
                    prop_assert!(g.chosen.len() >= kmin);
                    prop_assert!(g.covered >= target - 1e-9);
                }
            }
        }
    }
}

mod cli {
    use super::common::*;

    /// One street; demand A and B near its west end (100 each), C near the east end (250);
    /// candidate X near A and B, Y at C. Worked out by hand: k = 1 picks Y (250 > 200), k = 2
    /// adds X (cumulative 450); with an existing clinic at C, k = 1 picks X and adds 200.
    #[test]
    fn site_select_picks_the_hand_worked_sites() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("street.geojson"),
            lines_geojson(&[(&[[113.300, 23.1], [113.340, 23.1]], "\"n\":1")]),
        )
        .unwrap();
        std::fs::write(d.join("demand.csv"), "id,lon,lat,population\nA,113.301,23.1001,100\nB,113.302,23.1001,100\nC,113.330,23.1001,250\n").unwrap();
        std::fs::write(
            d.join("cand.csv"),
            "id,lon,lat\nX,113.3015,23.1\nY,113.3301,23.1\n",
        )
        .unwrap();
        std::fs::write(
            d.join("clinics.csv"),
            "id,category,lon,lat\nC0,clinic,113.3302,23.1\n",
        )
        .unwrap();
        let (street, demand, cand) = (
            d.join("street.geojson"),
            d.join("demand.csv"),
            d.join("cand.csv"),
        );
        let run_k = |k: &str, existing: bool| {
            let out = d.join(format!("sites{k}{existing}.csv"));
            let mut args = vec![
                "site-select",
                "--network",
                s(&street),
                "--demand",
                s(&demand),
                "--candidates",
                s(&cand),
                "--category",
                "clinic",
                "--k",
                k,
                "--max-minutes",
                "15",
                "--out",
                s(&out),
                "--quiet",
            ];
            let clinics = d.join("clinics.csv");
            if existing {
                args.extend(["--facilities", s(&clinics)]);
            }
            let o = run(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            let (h, rows) = read_csv(&out);
            assert_eq!(
                &h[..4],
                [
                    "rank",
                    "candidate_id",
                    "added_population",
                    "cumulative_population"
                ]
            );
            rows
        };
        let r = run_k("1", false);
        assert_eq!(
            (r.len(), r[0][1].as_str(), r[0][2].as_str()),
            (1, "Y", "250")
        );
        let r = run_k("2", false);
        assert_eq!(r[1][1], "X");
        assert_eq!(r[1][2], "200");
        assert_eq!(r[1][3], "450");
        let r = run_k("1", true);
        assert_eq!(
            (r[0][1].as_str(), r[0][2].as_str(), r[0][3].as_str()),
            ("X", "200", "200")
        );
    }

    /// The street of the test above, with capacities: X can serve 150 people (75 places × 2),
    /// Y 100 (50 × 2). Worked out by hand: k = 1 now picks X (150 assigned of A + B = 200,
    /// against 100 of C's 250), k = 2 adds Y (cumulative 250); a uniform capacity of 120 per
    /// site with k = 2 serves 120 + 120.
    #[test]
    fn capacities_change_the_choice() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("street.geojson"),
            lines_geojson(&[(&[[113.300, 23.1], [113.340, 23.1]], "\"n\":1")]),
        )
        .unwrap();
        std::fs::write(d.join("demand.csv"), "id,lon,lat,population\nA,113.301,23.1001,100\nB,113.302,23.1001,100\nC,113.330,23.1001,250\n").unwrap();
        std::fs::write(
            d.join("cand.csv"),
            "id,lon,lat,capacity\nX,113.3015,23.1,75\nY,113.3301,23.1,50\n",
        )
        .unwrap();
        let (street, demand, cand) = (
            d.join("street.geojson"),
            d.join("demand.csv"),
            d.join("cand.csv"),
        );
        let go = |k: &str, capacity: &[&str]| {
            let out = d.join(format!("sites{k}{}.csv", capacity.join("")));
            let summary = d.join("summary.json");
            let mut args = vec![
                "site-select",
                "--network",
                s(&street),
                "--demand",
                s(&demand),
                "--candidates",
                s(&cand),
                "--category",
                "elderly_care",
                "--k",
                k,
                "--max-minutes",
                "15",
                "--out",
                s(&out),
                "--summary",
                s(&summary),
                "--quiet",
            ];
            args.extend(capacity);
            let o = run(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            let (h, rows) = read_csv(&out);
            assert_eq!(h.last().map(String::as_str), Some("capacity"));
            let j: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
            (rows, j)
        };
        let (r, j) = go("1", &["--people-per-unit", "2"]);
        assert_eq!(
            (r.len(), r[0][1].as_str(), r[0][2].as_str()),
            (1, "X", "150")
        );
        assert_eq!(r[0].last().unwrap(), "150");
        assert_eq!(j["optimal"], true);
        assert_eq!(j["added_population"], 150.0);
        assert_eq!(j["capacitated"], true);
        let (r, _) = go("2", &["--people-per-unit", "2"]);
        assert_eq!(
            (r[1][1].as_str(), r[1][2].as_str(), r[1][3].as_str()),
            ("Y", "100", "250")
        );
        let (r, j) = go("2", &["--site-capacity", "120"]);
        assert_eq!(r.len(), 2);
        assert_eq!(j["added_population"], 240.0);
        // A candidate without a capacity is an error naming the field.
        std::fs::write(
            &cand,
            "id,lon,lat,capacity\nX,113.3015,23.1,75\nY,113.3301,23.1,\n",
        )
        .unwrap();
        let o = run(&[
            "site-select",
            "--network",
            s(&street),
            "--demand",
            s(&demand),
            "--candidates",
            s(&cand),
            "--category",
            "elderly_care",
            "--k",
            "1",
            "--max-minutes",
            "15",
            "--out",
            s(&d.join("bad.csv")),
            "--people-per-unit",
            "2",
            "--quiet",
        ]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains("capacity") && e.contains("cand.csv"), "{e}");
        assert!(!d.join("bad.csv").exists());
    }
}
