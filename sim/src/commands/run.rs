// SPDX-License-Identifier: Apache-2.0
//! `facegate run --input DIR|FILE`: a sequence of frames through the kiosk loop (tracking and
//! voting carry over from frame to frame, as on the board), with a progress bar or JSON
//! events, and optionally every annotated screen as a PNG.

use std::path::Path;

use anyhow::{bail, Context, Result};
use facegate_face::memstore::MemStore;
use facegate_face::GalleryStore;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::RunArgs;
use crate::assets::ModelSet;
use crate::clock::HostClock;
use crate::folder_source::FolderSource;
use crate::gallery_file::FileStore;
use crate::image_io::save_rgb565_png;
use crate::screen;
use crate::session::{build, SimKiosk};

pub fn run(models_dir: &Path, args: RunArgs) -> Result<()> {
    let source = FolderSource::open(&args.input)?;
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
            run_frames(kiosk, source, &args)
        }
        None => run_frames(
            build(&mut models, MemStore::<1, 1>::new(), config)?,
            source,
            &args,
        ),
    }
}

fn run_frames<S: GalleryStore>(
    mut kiosk: SimKiosk<'_, S>,
    mut source: FolderSource,
    args: &RunArgs,
) -> Result<()> {
    let clock = HostClock::new();
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(source.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} frames {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    };
    let mut last = std::time::Instant::now();
    let mut recognized = 0usize;
    let mut index = 0usize;
    loop {
        let report = match kiosk.step(&mut source, &clock) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(facegate_kiosk::Error::Camera) => {
                bail!("{}", source.failure().unwrap_or("the frame source failed"))
            }
            Err(e) => return Err(e.into()),
        };
        let period = last.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        last = std::time::Instant::now();
        let Some((path, image)) = source.current() else {
            bail!("the frame source lost its frame");
        };
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
            let shot = screen::draw(args.display, image, &report, (period, 0))?;
            save_rgb565_png(
                &out.join(format!("frame{index:05}.png")),
                shot.width,
                shot.height,
                &shot.rgb565_le,
            )?;
        }
        index += 1;
        bar.inc(1);
    }
    bar.finish_with_message(format!("done, {recognized} recognition event(s)"));
    Ok(())
}
