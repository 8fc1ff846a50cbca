// SPDX-License-Identifier: Apache-2.0
//! A folder of photos (or one photo) as the kiosk's camera: the host side of the
//! `FrameSource` port, one decoded image per frame, in name order.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use facegate_face::{Frame, PixelFormat};
use facegate_kiosk::FrameSource;

use crate::image_io::{load_rgb, RgbImage};

/// The JPEG and PNG files in `dir`, sorted by name.
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
        })
        .collect();
    v.sort();
    Ok(v)
}

/// Frames from image files.
#[derive(Debug)]
pub struct FolderSource {
    paths: Vec<PathBuf>,
    next: usize,
    current: Option<(PathBuf, RgbImage)>,
    failure: Option<String>,
}

impl FolderSource {
    /// Every JPEG/PNG in `input` (sorted by name), or `input` itself if it is a file.
    pub fn open(input: &Path) -> Result<Self> {
        let paths = if input.is_file() {
            vec![input.to_path_buf()]
        } else if input.is_dir() {
            let v = list_images(input)?;
            if v.is_empty() {
                bail!("no JPEG or PNG frames in {}", input.display());
            }
            v
        } else {
            bail!("input {} does not exist", input.display());
        };
        Ok(Self {
            paths,
            next: 0,
            current: None,
            failure: None,
        })
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Why the last frame could not be delivered (the kiosk only learns that it failed).
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The file and image of the frame last handed out.
    pub fn current(&self) -> Option<&(PathBuf, RgbImage)> {
        self.current.as_ref()
    }
}

impl FrameSource for FolderSource {
    type Error = anyhow::Error;

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, Self::Error> {
        let Some(path) = self.paths.get(self.next).cloned() else {
            return Ok(None);
        };
        self.next += 1;
        let image = load_rgb(&path).inspect_err(|e| self.failure = Some(format!("{e:#}")))?;
        let (path, image) = self.current.insert((path, image));
        let frame = Frame::packed(
            &image.pixels,
            image.width as usize,
            image.height as usize,
            PixelFormat::Rgb888,
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Some(frame))
    }
}
