// SPDX-License-Identifier: Apache-2.0
//! `facegate identify IMAGE...`: per photo, the faces found (box, landmarks, detection
//! score, liveness, identity or unknown, similarity), as a table or one JSON object per line.

use std::path::Path;

use anyhow::Result;
use facegate_face::memstore::MemStore;

use super::IdentifyArgs;
use crate::assets::ModelSet;
use crate::clock::HostClock;
use crate::gallery_file::FileStore;
use crate::image_io::load_rgb;
use crate::report::{frame_json, table_rows, TABLE_HEADER};
use crate::session::{build, process_still, SimKiosk};

pub fn identify(models_dir: &Path, args: IdentifyArgs) -> Result<()> {
    // Decode every photo first: a bad file is reported before any model is loaded.
    let mut images = Vec::with_capacity(args.images.len());
    for path in &args.images {
        images.push((path.display().to_string(), load_rgb(path)?));
    }
    let mut models = ModelSet::load(models_dir, !args.no_antispoof)?;
    let config = models.kiosk_config();
    match &args.gallery {
        Some(path) => {
            if !path.exists() {
                anyhow::bail!("gallery {} does not exist", path.display());
            }
            let kiosk = build(&mut models, FileStore::open(path)?, config)?;
            identify_all(kiosk, &images, args.json)
        }
        None => {
            let kiosk = build(&mut models, MemStore::<1, 1>::new(), config)?;
            identify_all(kiosk, &images, args.json)
        }
    }
}

fn identify_all<S: facegate_face::GalleryStore>(
    mut kiosk: SimKiosk<'_, S>,
    images: &[(String, crate::image_io::RgbImage)],
    json: bool,
) -> Result<()> {
    let clock = HostClock::new();
    if !json {
        println!("{TABLE_HEADER}");
    }
    for (label, image) in images {
        let report = process_still(&mut kiosk, image, &clock)?;
        if json {
            println!("{}", frame_json(label, &report));
        } else {
            for row in table_rows(label, &report) {
                println!("{row}");
            }
        }
    }
    Ok(())
}
