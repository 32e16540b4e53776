//! Multi-class linear SVM of Crammer and Singer, solved by the sequential dual method of
//! Keerthi et al. (2008), the algorithm of LIBLINEAR's `-s 4` (scikit-learn's
//! `LinearSVC(multi_class="crammer_singer")`). One joint problem over all classes instead of
//! one-vs-rest: each text's margin is measured against its strongest rival class.
//!
//! Primal: `min ½ Σₘ‖wₘ‖² + Σᵢ Cᵢ max(0, maxₘ (1 − δ(yᵢ,m) + wₘᵀxᵢ) − w_{yᵢ}ᵀxᵢ)`, with a
//! bias feature of value 1 (regularised, as in LIBLINEAR).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::train::Rows;

/// Per-class weights (`k` vectors of `d`) and biases. `scale[j]` multiplies feature `j` of every
/// row (a per-feature reweighting shared by all classes); the returned weights are for the
/// unscaled features. `cost[i]` is the cost of text `i`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train(
    rows: &Rows,
    d: usize,
    k: usize,
    class_of: &[usize],
    cost: &[f32],
    scale: &[f32],
    max_epochs: u32,
    tol: f32,
    seed: u64,
) -> Vec<(Vec<f32>, f32)> {
    let n = class_of.len();
    // Feature-major weights: w[j * k + m]; the bias is feature `d`.
    let mut w = vec![0.0f32; (d + 1) * k];
    let mut alpha = vec![0.0f32; n * k];
    let sq_norm: Vec<f32> = (0..n)
        .map(|i| {
            let (idx, v) = rows.row(i);
            idx.iter()
                .zip(v)
                .map(|(&j, x)| (x * scale[j as usize]).powi(2))
                .sum::<f32>()
                + 1.0
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut g, mut b, mut new_alpha) = (vec![0.0f32; k], vec![0.0f32; k], vec![0.0f32; k]);
    let mut sorted = vec![0.0f32; k];
    for _ in 0..max_epochs {
        order.shuffle(&mut rng);
        let mut worst = 0.0f32;
        for &i in &order {
            let (idx, val) = rows.row(i);
            let yi = class_of[i];
            let a = &mut alpha[i * k..(i + 1) * k];
            for (m, gm) in g.iter_mut().enumerate() {
                *gm = if m == yi { 0.0 } else { 1.0 } + w[d * k + m];
            }
            for (&j, &x) in idx.iter().zip(val) {
                let x = x * scale[j as usize];
                let wj = &w[j as usize * k..(j as usize + 1) * k];
                for (gm, wm) in g.iter_mut().zip(wj) {
                    *gm += wm * x;
                }
            }
            // Optimality: the largest gradient against the smallest one whose alpha may still
            // decrease.
            let mut min_g = f32::INFINITY;
            let mut max_g = f32::NEG_INFINITY;
            for m in 0..k {
                if a[m] < 0.0 && g[m] < min_g {
                    min_g = g[m];
                }
                max_g = max_g.max(g[m]);
            }
            if a[yi] < cost[i] && g[yi] < min_g {
                min_g = g[yi];
            }
            if max_g - min_g <= 1e-12 {
                continue;
            }
            worst = worst.max(max_g - min_g);
            let ai = sq_norm[i];
            for m in 0..k {
                b[m] = g[m] - ai * a[m];
            }
            solve_sub_problem(ai, yi, cost[i], &b, &mut sorted, &mut new_alpha);
            for m in 0..k {
                let delta = new_alpha[m] - a[m];
                if delta.abs() <= 1e-12 {
                    continue;
                }
                a[m] = new_alpha[m];
                for (&j, &x) in idx.iter().zip(val) {
                    w[j as usize * k + m] += delta * x * scale[j as usize];
                }
                w[d * k + m] += delta;
            }
        }
        if worst < tol {
            break;
        }
    }
    (0..k)
        .map(|m| {
            let wm: Vec<f32> = (0..d).map(|j| w[j * k + m] * scale[j]).collect();
            (wm, w[d * k + m])
        })
        .collect()
}

/// The closed-form minimiser over one text's `k` dual variables (Keerthi et al., Alg. 2):
/// `min ½ A Σ αₘ² + Σ Bₘ αₘ` s.t. `Σ αₘ = 0`, `αₘ ≤ 0` (`m ≠ y`), `α_y ≤ C`.
fn solve_sub_problem(a: f32, y: usize, c: f32, b: &[f32], d: &mut [f32], out: &mut [f32]) {
    d.copy_from_slice(b);
    d[y] += a * c;
    d.sort_unstable_by(|p, q| q.total_cmp(p));
    let mut beta = d[0] - a * c;
    let mut r = 1;
    while r < d.len() && beta < r as f32 * d[r] {
        beta += d[r];
        r += 1;
    }
    beta /= r as f32;
    for (m, o) in out.iter_mut().enumerate() {
        let v = (beta - b[m]) / a;
        *o = if m == y { v.min(c) } else { v.min(0.0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_problem_keeps_the_sum_at_zero_and_the_bounds() {
        let (mut d, mut out) = (vec![0.0; 3], vec![0.0; 3]);
        solve_sub_problem(2.0, 1, 0.5, &[1.0, -1.0, 0.5], &mut d, &mut out);
        assert!(out.iter().sum::<f32>().abs() < 1e-6, "{out:?}");
        assert!(out[1] > 0.0 && out[1] <= 0.5, "{out:?}");
        assert!(out[0] <= 0.0 && out[2] <= 0.0, "{out:?}");
    }

    #[test]
    fn separable_three_class_problem_is_learned() {
        // One-hot rows: feature j belongs to class j.
        let rows = Rows {
            ptr: vec![0, 1, 2, 3, 4, 5, 6],
            idx: vec![0, 1, 2, 0, 1, 2],
            val: vec![1.0; 6],
        };
        let class_of = [0, 1, 2, 0, 1, 2];
        let w = train(&rows, 3, 3, &class_of, &[1.0; 6], &[1.0; 3], 100, 1e-3, 1);
        for (j, &c) in class_of.iter().take(3).enumerate() {
            let scores: Vec<f32> = w.iter().map(|(wm, bm)| wm[j] + bm).collect();
            let best = (0..3)
                .max_by(|&p, &q| scores[p].total_cmp(&scores[q]))
                .unwrap();
            assert_eq!(best, c, "{scores:?}");
        }
    }
}
