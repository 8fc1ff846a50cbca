// SPDX-License-Identifier: Apache-2.0
//! `facegate run --input DIR|FILE`: a sequence of frames through the kiosk loop (tracking and
//! voting carry over from frame to frame, as on the board), with a progress bar or JSON
//! events, and optionally every annotated screen as a PNG.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use facegate_face::memstore::MemStore;
use facegate_face::GalleryStore;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::RunArgs;
use crate::assets::ModelSet;
use crate::clock::HostClock;
use crate::gallery_file::FileStore;
use crate::image_io::{load_rgb, save_rgb565_png};
use crate::screen;
use crate::session::{build, process_frame, SimKiosk};

fn frames(input: &Path) -> Result<Vec<PathBuf>> {
    if input.is_file() {
        return Ok(vec![input.to_path_buf()]);
    }
    if !input.is_dir() {
        bail!("input {} does not exist", input.display());
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(input)
        .with_context(|| format!("cannot list {}", input.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
        })
        .collect();
    v.sort();
    if v.is_empty() {
        bail!("no JPEG or PNG frames in {}", input.display());
    }
    Ok(v)
}

pub fn run(models_dir: &Path, args: RunArgs) -> Result<()> {
    let paths = frames(&args.input)?;
    let mut models = ModelSet::load(models_dir, !args.no_antispoof)?;
    let config = models.kiosk_config();
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    }
    match &args.gallery {
        Some(g) => {
            if !g.exists() {
                bail!("gallery {} does not exist", g.display());
            }
            let kiosk = build(&mut models, FileStore::open(g)?, config)?;
            run_frames(kiosk, &paths, &args)
        }
        None => run_frames(
            build(&mut models, MemStore::<1, 1>::new(), config)?,
            &paths,
            &args,
        ),
    }
}

fn run_frames<S: GalleryStore>(
    mut kiosk: SimKiosk<'_, S>,
    paths: &[PathBuf],
    args: &RunArgs,
) -> Result<()> {
    let clock = HostClock::new();
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(paths.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} frames {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    };
    let mut last = std::time::Instant::now();
    let mut recognized = 0usize;
    for (i, path) in paths.iter().enumerate() {
        let image = load_rgb(path)?;
        let report = process_frame(&mut kiosk, &image, &clock)?;
        let period = last.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        last = std::time::Instant::now();
        for e in &report.events {
            if matches!(e, facegate_kiosk::Event::Recognized { .. }) {
                recognized += 1;
            }
            if args.json {
                println!(
                    "{}",
                    json!({"frame": report.frame, "image": path.display().to_string(), "event": e})
                );
            } else {
                bar.println(format!(
                    "frame {:>5}: {}",
                    report.frame,
                    serde_json::to_string(e)?
                ));
            }
        }
        if let Some(out) = &args.out {
            let shot = screen::draw(args.display, &image, &report, (period, 0))?;
            save_rgb565_png(
                &out.join(format!("frame{i:05}.png")),
                shot.width,
                shot.height,
                &shot.rgb565_le,
            )?;
        }
        bar.inc(1);
    }
    bar.finish_with_message(format!("done, {recognized} recognition event(s)"));
    Ok(())
}
