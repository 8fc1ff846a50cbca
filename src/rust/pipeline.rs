// SPDX-License-Identifier: Apache-2.0
//! The one module of rustapp that uses the pipeline crates (`facegate-kiosk` over
//! `facegate-face`/`facegate-nn`); the threads, the shell and the self-test see only `Engine`,
//! `Results`, `Request` and `Reply`.
//!
//! Wired: the kiosk loop (detect every frame; align, anti-spoof, embed and match only for new
//! or changed tracks; voting; enrolment) on the models (embedded, or copied from external
//! flash at boot) with static arenas, the
//! persistent gallery over the settings shim, thresholds, shell requests, and the overlays
//! (`facegate_kiosk::render` on a RAM canvas, render.rs).
//! TODO, in order:
//! 1. The Neural-ART backend under `CONFIG_FACEGATE_BACKEND_NEURAL_ART`.
//! 2. Button-driven enrolment with an on-screen name (the button only cancels for now).
//! 3. Dirty-rectangle updates for SPI panels (render.rs writes the whole preview each frame;
//!    `facegate_kiosk::render` already returns the rectangles it touched).

use core::fmt::Write;

use facegate_face::memstore::{MemStore, MemStoreError};
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame as FaceFrame, GalleryStore, PixelFormat};
use facegate_kiosk::antispoof::{AntiSpoof, AntiSpoofSpec};
use facegate_kiosk::detector::Detector;
use facegate_kiosk::kiosk::{FaceState, FrameReport, Kiosk, Mode, Stages};
use facegate_kiosk::recognizer::Recognizer;
use facegate_kiosk::{Clock, Event, KioskConfig};
use facegate_zephyr_abi::model_blob::load_from_flash;
use facegate_zephyr_abi::{AbiError, Fourcc, Frame, InputEvent, Store};

use crate::assets;
use crate::store_port::ZephyrStore;

/// Gallery capacity (Kconfig).
pub const GALLERY_CAP: usize = zephyr::kconfig::CONFIG_FACEGATE_GALLERY_CAPACITY as usize;
/// Embedding size of the recognizer.
pub use facegate_kiosk::recognizer::EMBEDDING_DIM;
/// Most faces reported per frame.
pub const MAX_FACES: usize = facegate_kiosk::kiosk::MAX_TRACKS;
/// Store key of the persisted match threshold (thousandths, i32 little-endian).
const THRESHOLD_KEY: &str = "threshold";

/// What a face box shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Tracked, not decided yet.
    Checking,
    /// Live and matching nobody.
    Unknown,
    /// Matched gallery identity `id`.
    Known {
        /// Identity id.
        id: u32,
    },
    /// Judged a presentation attack.
    Spoof,
}

impl Label {
    /// Lower-case name for console lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checking => "checking",
            Self::Unknown => "unknown",
            Self::Known { .. } => "known",
            Self::Spoof => "spoof",
        }
    }
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
    /// The kiosk's full report (what the overlays draw), if the engine ran.
    pub report: Option<FrameReport>,
    /// Faces found.
    pub faces: heapless::Vec<FaceBox, MAX_FACES>,
    /// Size of the frame the boxes refer to.
    pub frame_width: u32,
    /// Size of the frame the boxes refer to.
    pub frame_height: u32,
}

/// Identity name as the gallery stores it.
pub type Name = facegate_face::Name;

/// A shell request, executed on the inference thread that owns the engine.
#[derive(Debug, Clone)]
pub enum Request {
    /// Start enrolling the face in view.
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

/// The kiosk's gallery store: the settings shim, or RAM when there is no store.
// Built once and kept inside the kiosk; boxing the RAM variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum EngineStore {
    /// Persistent (settings on ZMS).
    Settings(ZephyrStore),
    /// Lost at reset (boards without a storage partition, the self-test).
    Ram(MemStore<4, 1024>),
}

/// The RAM store's failures in the settings store's terms.
fn ram_error(e: MemStoreError) -> AbiError {
    match e {
        MemStoreError::Full => AbiError::NoSpace,
        MemStoreError::TooLarge => AbiError::TooLarge,
    }
}

impl GalleryStore for EngineStore {
    type Error = AbiError;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, AbiError> {
        match self {
            Self::Settings(s) => s.read(key, buf),
            Self::Ram(s) => s.read(key, buf).map_err(ram_error),
        }
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), AbiError> {
        match self {
            Self::Settings(s) => s.write(key, data),
            Self::Ram(s) => s.write(key, data).map_err(ram_error),
        }
    }

    fn delete(&mut self, key: u16) -> Result<(), AbiError> {
        match self {
            Self::Settings(s) => s.delete(key),
            Self::Ram(s) => s.delete(key).map_err(ram_error),
        }
    }
}

/// Zephyr uptime as the kiosk's clock (millisecond resolution).
#[derive(Debug, Clone, Copy)]
pub struct UptimeClock;

impl Clock for UptimeClock {
    fn now_us(&self) -> u64 {
        zephyr::sys::uptime_get().max(0) as u64 * 1000
    }
}

type KioskT = Kiosk<'static, 'static, EngineStore, GALLERY_CAP>;

/// Why the engine cannot run the models.
#[derive(Debug, Clone, Copy)]
pub enum EngineError {
    /// Neither embedded nor in the model blob: no detector/recognizer model.
    NoModel,
    /// An arena was taken twice (a second engine in one program).
    ArenaTaken,
    /// The kiosk refused a model, the configuration or the gallery.
    Kiosk(&'static str),
    /// The model blob could not be read from external flash, or is not a valid blob.
    Flash(AbiError),
}

impl core::fmt::Display for EngineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoModel => f.write_str("no detector/recognizer model in this build"),
            Self::ArenaTaken => f.write_str("tensor arena already in use"),
            Self::Kiosk(what) => write!(f, "kiosk refused the {what}"),
            Self::Flash(e) => write!(f, "model blob in flash: {e}"),
        }
    }
}

/// The recognition pipeline and its gallery; owned by the inference thread (it is large:
/// build it where it will stay, e.g. on the inference thread's stack).
pub struct Engine {
    kiosk: Result<KioskT, EngineError>,
    settings: Option<Store>,
    clock: UptimeClock,
}

/// Detector, recognizer and anti-spoof model bytes (empty when absent): embedded in the image,
/// or copied from external flash into a RAM buffer once (CONFIG_FACEGATE_MODELS_IN_FLASH).
fn models() -> Result<[&'static [u8]; 3], EngineError> {
    if !cfg!(CONFIG_FACEGATE_MODELS_IN_FLASH) {
        return Ok([
            assets::DETECTOR.bytes(),
            assets::RECOGNIZER.bytes(),
            assets::ANTISPOOF.bytes(),
        ]);
    }
    let mem = assets::MODEL_BLOB.take().ok_or(EngineError::ArenaTaken)?;
    let blob = load_from_flash(mem).map_err(EngineError::Flash)?;
    let get = |name| blob.get(name).unwrap_or(&[]);
    Ok([get("detector"), get("recognizer"), get("antispoof")])
}

fn stages() -> Result<Stages<'static, 'static>, EngineError> {
    let [detector, recognizer, antispoof] = models()?;
    if detector.is_empty() || recognizer.is_empty() {
        return Err(EngineError::NoModel);
    }
    let arena = |a: &'static assets::Arena| a.take().ok_or(EngineError::ArenaTaken);
    let detector = Detector::new(
        detector,
        arena(&assets::DETECTOR_ARENA)?,
        RetinaFaceConfig::default(),
    )
    .map_err(|_| EngineError::Kiosk("detector model"))?;
    let recognizer = Recognizer::new(recognizer, arena(&assets::RECOGNIZER_ARENA)?)
        .map_err(|_| EngineError::Kiosk("recognizer model"))?;
    let antispoof = if antispoof.is_empty() {
        None
    } else {
        Some(
            AntiSpoof::new(
                antispoof,
                arena(&assets::ANTISPOOF_ARENA)?,
                AntiSpoofSpec::DTN,
            )
            .map_err(|_| EngineError::Kiosk("anti-spoof model"))?,
        )
    };
    Ok(Stages {
        detector,
        recognizer,
        antispoof,
    })
}

impl Engine {
    /// Builds the stages from the embedded models and loads the gallery and threshold from
    /// `store` (a RAM gallery if there is none).
    pub fn new(store: Option<Store>) -> Self {
        let mut milli = zephyr::kconfig::CONFIG_FACEGATE_MATCH_THRESHOLD as i32;
        if let Some(s) = &store {
            let mut buf = [0u8; 4];
            if let Ok(4) = s.read(THRESHOLD_KEY, &mut buf) {
                milli = i32::from_le_bytes(buf);
            }
        }
        let settings = store.clone();
        let kiosk = stages().and_then(|stages| {
            let config = KioskConfig {
                detection_threshold: zephyr::kconfig::CONFIG_FACEGATE_DETECT_THRESHOLD as f32
                    / 1000.0,
                match_threshold: milli as f32 / 1000.0,
                accept_unsure_liveness: stages.antispoof.is_none(),
                spoof_above: zephyr::kconfig::CONFIG_FACEGATE_SPOOF_THRESHOLD as f32 / 1000.0,
                live_below: zephyr::kconfig::CONFIG_FACEGATE_SPOOF_THRESHOLD as f32 / 2000.0,
                ..KioskConfig::default()
            };
            let gallery_store = match store {
                Some(s) => EngineStore::Settings(ZephyrStore(s)),
                None => EngineStore::Ram(MemStore::new()),
            };
            let (kiosk, report) = Kiosk::new(stages, gallery_store, config)
                .map_err(|_| EngineError::Kiosk("configuration or gallery"))?;
            log::info!(
                "gallery: {} identities loaded, {} unreadable records",
                kiosk.gallery().len(),
                report.issues.len()
            );
            Ok(kiosk)
        });
        if let Err(e) = &kiosk {
            log::error!("pipeline: cannot run: {e}");
        }
        Self {
            kiosk,
            settings,
            clock: UptimeClock,
        }
    }

    /// One kiosk step on `frame`; its events go to the log.
    pub fn process(&mut self, frame: &FaceFrame<'_>) -> Results {
        let mut out = Results {
            report: None,
            faces: heapless::Vec::new(),
            frame_width: frame.width() as u32,
            frame_height: frame.height() as u32,
        };
        let Ok(kiosk) = &mut self.kiosk else {
            return out;
        };
        let report = match kiosk.process(frame, &self.clock) {
            Ok(r) => r,
            Err(e) => {
                log::warn!("pipeline: {e}");
                return out;
            }
        };
        for ev in &report.events {
            log_event(ev);
        }
        for f in &report.faces {
            let b = f.detection.bbox;
            let label = match &f.state {
                FaceState::Checking => Label::Checking,
                FaceState::Unknown => Label::Unknown,
                FaceState::Spoof => Label::Spoof,
                FaceState::Recognized { id, .. } => Label::Known { id: *id },
            };
            // Truncation toward zero is fine for pixel boxes (no libm in the hot path).
            let _ = out.faces.push(FaceBox {
                x: b.x0 as i32,
                y: b.y0 as i32,
                w: (b.x1 - b.x0) as i32,
                h: (b.y1 - b.y0) as i32,
                score_milli: (f.detection.score * 1000.0) as i32,
                label,
            });
        }
        out.report = Some(report);
        out
    }

    /// A button or touch event: the user button cancels an enrolment in progress.
    pub fn input(&mut self, ev: InputEvent) {
        if let (Ok(kiosk), InputEvent::Key { pressed: true, .. }) = (&mut self.kiosk, ev) {
            if let Some(name) = kiosk.cancel_enrolment() {
                log::info!("enrolment of {name} cancelled");
            }
        }
    }

    /// Executes a shell request.
    pub fn handle(&mut self, req: Request) -> Reply {
        let mut r = Reply::default();
        let kiosk = match &mut self.kiosk {
            Ok(k) => k,
            Err(e) => {
                r.line(format_args!("pipeline not running: {e}"));
                return r;
            }
        };
        match req {
            Request::List => {
                r.ok = true;
                r.line(format_args!("{} identities", kiosk.gallery().len()));
                for id in kiosk.gallery().iter() {
                    r.line(format_args!("{:>4} {}", id.id, id.name.as_str()));
                }
            }
            Request::Delete(name) => match kiosk.gallery().find_name(&name).map(|i| i.id) {
                Some(id) => match kiosk.delete(id) {
                    Ok(()) => {
                        r.ok = true;
                        r.line(format_args!("deleted {name}"));
                    }
                    Err(e) => r.line(format_args!("delete failed: {e}")),
                },
                None => r.line(format_args!("no identity named {name}")),
            },
            Request::Threshold(None) => {
                r.ok = true;
                let milli = (kiosk.config().match_threshold * 1000.0) as i32;
                r.line(format_args!("threshold {milli}"));
            }
            Request::Threshold(Some(milli)) => {
                let config = KioskConfig {
                    match_threshold: milli as f32 / 1000.0,
                    ..*kiosk.config()
                };
                match kiosk.set_config(config) {
                    Ok(()) => {
                        r.ok = true;
                        if let Some(s) = &self.settings {
                            if let Err(e) = s.write(THRESHOLD_KEY, &milli.to_le_bytes()) {
                                r.ok = false;
                                r.line(format_args!("threshold not saved: {e}"));
                            }
                        }
                        r.line(format_args!("threshold {milli}"));
                    }
                    Err(e) => r.line(format_args!("threshold refused: {e}")),
                }
            }
            Request::Enroll(name) => match kiosk.start_enrolment(&name) {
                Ok(()) => {
                    r.ok = true;
                    if let Mode::Enrolling { needed, .. } = kiosk.mode() {
                        r.line(format_args!(
                            "enrolling {name}: look at the camera ({needed} samples)"
                        ));
                    }
                }
                Err(e) => r.line(format_args!("cannot enroll {name}: {e}")),
            },
        }
        r
    }
}

fn log_event(ev: &Event) {
    match ev {
        Event::Recognized { name, score, .. } => {
            log::info!("recognized {name} ({})", (*score * 1000.0) as i32)
        }
        Event::Enrolled { id, name } => log::info!("enrolled {name} as {id}"),
        Event::EnrolmentFailed { name, reason } => {
            log::warn!("enrolment of {name} failed: {reason:?}")
        }
        Event::SpoofDetected { track, .. } => log::warn!("spoof on track {track}"),
        other => log::debug!("{other:?}"),
    }
}
