// SPDX-License-Identifier: Apache-2.0
//! `facegate bench`: per-stage and end-to-end latency of the kiosk loop over N frames,
//! median and spread. Every frame is a new scene, so every face takes the full
//! align / anti-spoof / embed / match path (the worst case; tracking skips it on the board).

use std::path::Path;

use anyhow::{bail, Result};
use facegate_face::memstore::MemStore;

use super::BenchArgs;
use crate::assets::{default_images_dir, ModelSet};
use crate::clock::HostClock;
use crate::image_io::load_rgb;
use crate::session::{build, process_still};

fn stats(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<10} median {:>8.2} ms   min {:>8.2}   p90 {:>8.2}   max {:>8.2}",
        pick(0.5),
        v[0],
        pick(0.9),
        v[v.len() - 1]
    );
}

pub fn bench(models_dir: &Path, args: BenchArgs) -> Result<()> {
    if args.frames == 0 {
        bail!("--frames must be at least 1");
    }
    let path = args
        .image
        .clone()
        .unwrap_or_else(|| default_images_dir().join("t1.jpg"));
    let image = load_rgb(&path)?;
    let mut models = ModelSet::load(models_dir, !args.no_antispoof)?;
    let config = models.kiosk_config();
    let mut kiosk = build(&mut models, MemStore::<1, 1>::new(), config)?;
    let clock = HostClock::new();
    // One warm-up frame (page faults, caches).
    let warm = process_still(&mut kiosk, &image, &clock)?;
    let mut cols: [Vec<f64>; 6] = Default::default();
    for _ in 0..args.frames {
        let t = std::time::Instant::now();
        let r = process_still(&mut kiosk, &image, &clock)?;
        let total = t.elapsed().as_secs_f64() * 1e3;
        let tt = &r.times;
        for (c, us) in cols.iter_mut().zip([
            tt.detect_us,
            tt.align_us,
            tt.spoof_us,
            tt.embed_us,
            tt.match_us,
        ]) {
            c.push(f64::from(us) / 1e3);
        }
        cols[5].push(total);
    }
    println!(
        "{}: {}x{} px, {} face(s), {} frames, single thread",
        path.display(),
        image.width,
        image.height,
        warm.faces.len(),
        args.frames
    );
    let [d, a, s, e, m, t] = cols;
    stats("detect", d);
    stats("align", a);
    stats("anti-spoof", s);
    stats("embed", e);
    stats("match", m);
    stats("frame", t);
    Ok(())
}
