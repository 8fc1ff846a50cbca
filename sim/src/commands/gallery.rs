// SPDX-License-Identifier: Apache-2.0
//! The gallery commands: `enroll NAME IMAGE...`, `list`, `delete NAME`, `rename OLD NEW`,
//! on a gallery file holding the board's own records.

use std::path::Path;

use anyhow::{bail, Context, Result};
use facegate_face::PersistentGallery;
use facegate_kiosk::recognizer::EMBEDDING_DIM;
use facegate_kiosk::DEFAULT_GALLERY_CAPACITY;
use serde_json::json;

use super::{DeleteArgs, EnrollArgs, GalleryArgs, RenameArgs};
use crate::assets::ModelSet;
use crate::clock::HostClock;
use crate::gallery_file::FileStore;
use crate::image_io::load_rgb;
use crate::session::{build, enroll_photos};

type FileGallery = PersistentGallery<FileStore, DEFAULT_GALLERY_CAPACITY, EMBEDDING_DIM>;

fn open(path: &Path) -> Result<FileGallery> {
    let store = FileStore::open(path)?;
    let (gallery, report) = PersistentGallery::load(store)
        .with_context(|| format!("cannot load gallery {}", path.display()))?;
    if report.corrupt > 0 {
        eprintln!(
            "warning: {}: {} unreadable record(s) skipped",
            path.display(),
            report.corrupt
        );
    }
    Ok(gallery)
}

fn id_of(gallery: &FileGallery, name: &str, path: &Path) -> Result<u32> {
    match gallery.gallery().find_name(name) {
        Some(i) => Ok(i.id),
        None => bail!("no identity named {name:?} in {}", path.display()),
    }
}

pub fn enroll(models_dir: &Path, args: EnrollArgs) -> Result<()> {
    let mut photos = Vec::new();
    for path in &args.images {
        photos.push((path.display().to_string(), load_rgb(path)?));
    }
    let mut models = ModelSet::load(models_dir, !args.no_antispoof)?;
    let config = models.kiosk_config();
    let store = FileStore::open(&args.gallery)?;
    let mut kiosk = build(&mut models, store, config)?;
    let clock = HostClock::new();
    let id = enroll_photos(&mut kiosk, &args.name, &photos, &clock)
        .with_context(|| format!("cannot enrol {:?}", args.name))?;
    println!(
        "enrolled {:?} as id {id} from {} photo(s) into {}",
        args.name,
        photos.len(),
        args.gallery.display()
    );
    Ok(())
}

pub fn list(args: GalleryArgs) -> Result<()> {
    if !args.gallery.exists() {
        bail!("gallery {} does not exist", args.gallery.display());
    }
    let gallery = open(&args.gallery)?;
    if args.json {
        let ids: Vec<_> = gallery
            .gallery()
            .iter()
            .map(|i| json!({"id": i.id, "name": i.name.as_str()}))
            .collect();
        println!(
            "{}",
            json!({ "gallery": args.gallery.display().to_string(), "identities": ids })
        );
    } else {
        println!(
            "{} identities in {}",
            gallery.gallery().len(),
            args.gallery.display()
        );
        for i in gallery.gallery().iter() {
            println!("{:>6}  {}", i.id, i.name);
        }
    }
    Ok(())
}

pub fn delete(args: DeleteArgs) -> Result<()> {
    let mut gallery = open(&args.gallery)?;
    let id = id_of(&gallery, &args.name, &args.gallery)?;
    gallery
        .delete(id)
        .with_context(|| format!("cannot delete {:?}", args.name))?;
    println!("deleted {:?} (id {id})", args.name);
    Ok(())
}

pub fn rename(args: RenameArgs) -> Result<()> {
    let mut gallery = open(&args.gallery)?;
    let id = id_of(&gallery, &args.old, &args.gallery)?;
    gallery
        .rename(id, &args.new)
        .with_context(|| format!("cannot rename {:?} to {:?}", args.old, args.new))?;
    println!("renamed {:?} to {:?} (id {id})", args.old, args.new);
    Ok(())
}
