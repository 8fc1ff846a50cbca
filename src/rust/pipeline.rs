// SPDX-License-Identifier: Apache-2.0
//! The one module of rustapp that uses the pipeline crates; the threads, the shell and the
//! self-test see only `Engine`, `Results`, `Request` and `Reply`.
//!
//! The kiosk/nn APIs are still being written, so this module wires what is settled (frame
//! views, the persistent gallery over the settings shim, the match threshold) and leaves the
//! rest as an ordered TODO list:
//!
//! 1. Detection: `facegate_kiosk`'s detector (RetinaFace through `facegate_nn::Interpreter` on
//!    `assets::DETECTOR`, its tensor arena a static in `CONFIG_FACEGATE_ASSET_SECTION`), input
//!    `CONFIG_FACEGATE_DETECTOR_WIDTH` x `_HEIGHT` letterboxed from the frame; fill
//!    `Results::faces` (frame coordinates).
//! 2. Tracking, then align + anti-spoof (`assets::ANTISPOOF`) + embed (`assets::RECOGNIZER`)
//!    only for new or changed tracks.
//! 3. Matching against `gallery` with `policy` (`facegate_face::match_face`): `Label`s.
//! 4. `facegate enroll NAME` and the user button: the kiosk's enrollment flow (averaged
//!    embeddings) ending in `PersistentGallery::enroll`.
//! 5. Overlays with `facegate_overlay` (render.rs draws plain boxes until then).
//! 6. The Neural-ART backend under `CONFIG_FACEGATE_BACKEND_NEURAL_ART`.

use core::fmt::Write;

use facegate_face::{Frame as FaceFrame, MatchPolicy, PersistentGallery, PixelFormat};
use facegate_zephyr_abi::{Fourcc, Frame, InputEvent, Store};

use crate::store_port::ZephyrStore;

/// Embedding size of the default recognizer (MobileFaceNet, models/README.md).
pub const EMBEDDING_DIM: usize = 192;
/// Gallery capacity (Kconfig).
pub const GALLERY_CAP: usize = zephyr::kconfig::CONFIG_FACEGATE_GALLERY_CAPACITY as usize;
/// Most faces reported per frame.
pub const MAX_FACES: usize = 8;
/// Store key of the persisted match threshold (thousandths, i32 little-endian).
const THRESHOLD_KEY: &str = "threshold";

type Gallery = PersistentGallery<ZephyrStore, GALLERY_CAP, EMBEDDING_DIM>;

/// What a face box shows.
// Constructed once detection and matching are wired (TODO 1-3 above).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Not (yet) recognised.
    Unknown,
    /// Matched gallery identity `id`.
    Known {
        /// Identity id.
        id: u32,
    },
    /// Failed the anti-spoof check.
    Spoof,
}

/// One face in frame coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceBox {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
    /// Detector score in thousandths.
    pub score_milli: i32,
    /// Decision.
    pub label: Label,
}

/// Result of one inference step.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Faces found.
    pub faces: heapless::Vec<FaceBox, MAX_FACES>,
    /// Size of the frame the boxes refer to.
    pub frame_width: u32,
    /// Size of the frame the boxes refer to.
    pub frame_height: u32,
}

/// Identity name as the gallery stores it.
pub type Name = heapless::String<32>;

/// A shell request, executed on the inference thread that owns the engine.
#[derive(Debug, Clone)]
pub enum Request {
    /// Enroll the face in view.
    Enroll(Name),
    /// List identities.
    List,
    /// Delete an identity by name.
    Delete(Name),
    /// Show (`None`) or set the threshold in thousandths.
    Threshold(Option<i32>),
}

/// Text lines answering a request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Whether the request succeeded.
    pub ok: bool,
    /// Lines to print.
    pub lines: heapless::Vec<heapless::String<64>, 16>,
}

impl Reply {
    fn line(&mut self, args: core::fmt::Arguments<'_>) {
        let mut s = heapless::String::new();
        // A line longer than 64 bytes is cut; the shell output stays readable.
        let _ = s.write_fmt(args);
        let _ = self.lines.push(s);
    }
}

/// Views an ABI frame as the pipeline's frame type (no copy; the pitch is kept).
pub fn face_frame(f: &Frame) -> Option<FaceFrame<'_>> {
    let format = match f.fourcc() {
        Fourcc::RGB565 => PixelFormat::Rgb565,
        Fourcc::RGB24 => PixelFormat::Rgb888,
        Fourcc::BGR24 => PixelFormat::Bgr888,
        Fourcc::YUYV => PixelFormat::Yuyv,
        _ => return None,
    };
    FaceFrame::new(
        f.data(),
        f.width() as usize,
        f.height() as usize,
        f.pitch() as usize,
        format,
    )
    .ok()
}

/// The recognition pipeline and its gallery; owned by the inference thread.
pub struct Engine {
    gallery: Option<Gallery>,
    policy: MatchPolicy,
    todo_logged: bool,
}

impl Engine {
    /// Loads the gallery and threshold from `store` (in-memory only if there is none).
    pub fn new(store: Option<Store>) -> Self {
        let mut policy = MatchPolicy {
            threshold: zephyr::kconfig::CONFIG_FACEGATE_MATCH_THRESHOLD as f32 / 1000.0,
            ..MatchPolicy::default()
        };
        let gallery = store.and_then(|s| {
            let mut buf = [0u8; 4];
            if let Ok(4) = s.read(THRESHOLD_KEY, &mut buf) {
                policy.threshold = i32::from_le_bytes(buf) as f32 / 1000.0;
            }
            match Gallery::load(ZephyrStore(s)) {
                Ok((g, report)) => {
                    log::info!(
                        "gallery: {} identities loaded, {} unreadable records",
                        g.gallery().len(),
                        report.issues.len()
                    );
                    Some(g)
                }
                Err(e) => {
                    log::error!("gallery: load failed: {e}");
                    None
                }
            }
        });
        Self {
            gallery,
            policy,
            todo_logged: false,
        }
    }

    /// One inference step on `frame`.
    pub fn process(&mut self, frame: &FaceFrame<'_>) -> Results {
        if !self.todo_logged {
            self.todo_logged = true;
            log::warn!("pipeline: detection not wired yet (rust/pipeline.rs TODO 1)");
        }
        Results {
            faces: heapless::Vec::new(),
            frame_width: frame.width() as u32,
            frame_height: frame.height() as u32,
        }
    }

    /// A button or touch event (TODO 4: the kiosk's enrollment flow).
    pub fn input(&mut self, ev: InputEvent) {
        log::debug!("input: {ev:?}");
    }

    /// Executes a shell request.
    pub fn handle(&mut self, req: Request) -> Reply {
        let mut r = Reply::default();
        match req {
            Request::List => match &self.gallery {
                Some(g) => {
                    r.ok = true;
                    r.line(format_args!("{} identities", g.gallery().len()));
                    for id in g.gallery().iter() {
                        r.line(format_args!("{:>4} {}", id.id, id.name.as_str()));
                    }
                }
                None => r.line(format_args!("no gallery store")),
            },
            Request::Delete(name) => match &mut self.gallery {
                Some(g) => match g.gallery().find_name(&name).map(|i| i.id) {
                    Some(id) => match g.delete(id) {
                        Ok(()) => {
                            r.ok = true;
                            r.line(format_args!("deleted {name}"));
                        }
                        Err(e) => r.line(format_args!("delete failed: {e}")),
                    },
                    None => r.line(format_args!("no identity named {name}")),
                },
                None => r.line(format_args!("no gallery store")),
            },
            Request::Threshold(None) => {
                r.ok = true;
                r.line(format_args!(
                    "threshold {}",
                    (self.policy.threshold * 1000.0) as i32
                ));
            }
            Request::Threshold(Some(milli)) => {
                self.policy.threshold = milli as f32 / 1000.0;
                r.ok = true;
                if let Some(g) = &self.gallery {
                    if let Err(e) = g.store().0.write(THRESHOLD_KEY, &milli.to_le_bytes()) {
                        r.ok = false;
                        r.line(format_args!("threshold not saved: {e}"));
                    }
                }
                r.line(format_args!("threshold {milli}"));
            }
            Request::Enroll(name) => {
                r.line(format_args!(
                    "cannot enroll {name}: recognizer not wired yet (pipeline TODO 4)"
                ));
            }
        }
        r
    }
}
