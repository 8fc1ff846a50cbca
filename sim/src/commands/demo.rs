// SPDX-License-Identifier: Apache-2.0
//! `facegate demo`: the README's main job. Enrols the bundled labelled faces (one photo
//! each), runs the other bundled photos through the kiosk on a simulated board screen,
//! writes the annotated screens as PNGs and prints a table.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::DemoArgs;
use crate::assets::{default_images_dir, ModelSet};
use crate::clock::HostClock;
use crate::folder_source::list_images;
use crate::gallery_file::FileStore;
use crate::image_io::{load_rgb, save_rgb565_png};
use crate::report::{table_rows, TABLE_HEADER};
use crate::screen;
use crate::session::{build, enroll_photos, process_still};

/// Who is enrolled, from which bundled photo (the only identity-labelled faces available).
const ENROL: [(&str, &str); 2] = [("Obama", "obama.jpg"), ("Biden", "biden.jpg")];

pub fn demo(models_dir: &Path, args: DemoArgs) -> Result<()> {
    let images_dir = default_images_dir();
    let mut models = ModelSet::load(models_dir, !args.no_antispoof)?;
    let config = models.kiosk_config();
    let with_spoof = models.antispoof.is_some();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let gallery_path = args.out.join("demo.gallery");
    if gallery_path.exists() {
        std::fs::remove_file(&gallery_path)
            .with_context(|| format!("cannot replace {}", gallery_path.display()))?;
    }
    let store = FileStore::open(&gallery_path)?;
    let mut kiosk = build(&mut models, store, config)?;
    let clock = HostClock::new();

    println!(
        "FaceGate {} demo: models {}, anti-spoof {}",
        env!("CARGO_PKG_VERSION"),
        models_dir.display(),
        if with_spoof { "on" } else { "off" }
    );
    for (name, file) in ENROL {
        let path = images_dir.join(file);
        let image = load_rgb(&path)?;
        enroll_photos(&mut kiosk, name, &[(file.to_string(), image)], &clock)
            .with_context(|| format!("cannot enrol {name} from {}", path.display()))?;
        println!("enrolled {name} from {file}");
    }
    kiosk.set_config(config)?;

    let mut photos = list_images(&images_dir)?;
    photos.retain(|p| {
        !ENROL
            .iter()
            .any(|(_, f)| p.file_name().is_some_and(|n| n == *f))
    });
    if photos.is_empty() {
        bail!("no photos in {}", images_dir.display());
    }

    println!("\n{TABLE_HEADER}");
    let mut last_draw_us = 0;
    for path in &photos {
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let image = load_rgb(path)?;
        let started = std::time::Instant::now();
        let report = process_still(&mut kiosk, &image, &clock)?;
        let frame_us = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        for row in table_rows(&label, &report) {
            println!("{row}");
        }
        let shot = if args.reproducible {
            let mut still = report.clone();
            still.times = Default::default();
            screen::draw(args.display, &image, &still, (0, 0))?
        } else {
            // The HUD shows the previous screen's drawing time, as the board does.
            let draw_started = std::time::Instant::now();
            let shot = screen::draw(args.display, &image, &report, (frame_us, last_draw_us))?;
            last_draw_us = draw_started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
            shot
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = args.out.join(format!("{stem}.png"));
        save_rgb565_png(&out, shot.width, shot.height, &shot.rgb565_le)?;
    }
    println!(
        "\nannotated screens ({:?}) written to {}/",
        args.display,
        args.out.display()
    );
    Ok(())
}
