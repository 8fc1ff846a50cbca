// SPDX-License-Identifier: Apache-2.0
//! Builds the kiosk from loaded models and a gallery store, and feeds it photos as camera
//! frames — the one place the CLI commands share.

use anyhow::{bail, Context, Result};
use facegate_face::enroll::{Guidance, QualityGates};
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame, GalleryStore, PixelFormat};
use facegate_kiosk::antispoof::{AntiSpoof, AntiSpoofSpec};
use facegate_kiosk::detector::Detector;
use facegate_kiosk::recognizer::Recognizer;
use facegate_kiosk::{Event, FrameReport, Kiosk, KioskConfig, Stages, DEFAULT_GALLERY_CAPACITY};
use facegate_nn::{Model, PackedCpu, PackedFilters};

use crate::assets::{LoadedModel, ModelSet};
use crate::clock::HostClock;
use crate::image_io::RgbImage;

/// The kiosk as the simulator runs it: every stage on the CPU with its convolution filters
/// packed once at load (the host's fastest path; identical results).
pub type SimKiosk<'s, S> = Kiosk<'s, 's, S, DEFAULT_GALLERY_CAPACITY, PackedCpu<'s>>;

/// The CPU backend for `model`, its filters packed into `model.packs`.
fn packed_cpu(model: &mut LoadedModel) -> Result<(&[u8], &mut [u8], PackedCpu<'_>)> {
    let LoadedModel {
        path,
        bytes,
        arena,
        packs,
    } = model;
    let parsed = Model::from_bytes(bytes)
        .with_context(|| format!("model {} is not a valid TFLite file", path.display()))?;
    let filters = PackedFilters::new(&parsed, packs)
        .with_context(|| format!("cannot pack the filters of {}", path.display()))?;
    Ok((bytes, arena, PackedCpu::new(filters)))
}

/// Loads the stages from `models` and the gallery from `store`.
pub fn build<S: GalleryStore>(
    models: &mut ModelSet,
    store: S,
    config: KioskConfig,
) -> Result<SimKiosk<'_, S>> {
    let ModelSet {
        detector,
        recognizer,
        antispoof,
    } = models;
    let path = detector.path.clone();
    let (bytes, arena, backend) = packed_cpu(detector)?;
    let detector = Detector::with_backend(bytes, arena, RetinaFaceConfig::default(), backend)
        .with_context(|| format!("cannot use detector {}", path.display()))?;
    let path = recognizer.path.clone();
    let (bytes, arena, backend) = packed_cpu(recognizer)?;
    let recognizer = Recognizer::with_backend(bytes, arena, backend)
        .with_context(|| format!("cannot use recognizer {}", path.display()))?;
    let antispoof = match antispoof {
        Some(m) => {
            let path = m.path.clone();
            let (bytes, arena, backend) = packed_cpu(m)?;
            Some(
                AntiSpoof::with_backend(bytes, arena, AntiSpoofSpec::DTN, backend)
                    .with_context(|| format!("cannot use anti-spoof model {}", path.display()))?,
            )
        }
        None => None,
    };
    let stages = Stages {
        detector,
        recognizer,
        antispoof,
    };
    let (kiosk, report) = Kiosk::new(stages, store, config).context("cannot start the kiosk")?;
    if report.corrupt > 0 {
        eprintln!(
            "warning: {} unreadable gallery record(s) skipped",
            report.corrupt
        );
    }
    Ok(kiosk)
}

/// Runs one photo through the kiosk as a new scene (tracking reset first).
pub fn process_still<S: GalleryStore>(
    kiosk: &mut SimKiosk<'_, S>,
    image: &RgbImage,
    clock: &HostClock,
) -> Result<FrameReport> {
    kiosk.reset_tracking();
    process_frame(kiosk, image, clock)
}

/// Runs one photo through the kiosk as the next camera frame.
pub fn process_frame<S: GalleryStore>(
    kiosk: &mut SimKiosk<'_, S>,
    image: &RgbImage,
    clock: &HostClock,
) -> Result<FrameReport> {
    let frame = Frame::packed(
        &image.pixels,
        image.width as usize,
        image.height as usize,
        PixelFormat::Rgb888,
    )?;
    Ok(kiosk.process(&frame, clock)?)
}

/// Quality gates for enrolling from still photos: no motion between samples (they are
/// different photos), everything else as for a live camera.
pub fn still_photo_gates() -> QualityGates {
    QualityGates {
        min_steady_iou: 0.0,
        ..QualityGates::default()
    }
}

/// Enrols `name` from `photos` (each one sample); fails, naming each rejected photo and why,
/// when fewer than all photos pass.
pub fn enroll_photos<S: GalleryStore>(
    kiosk: &mut SimKiosk<'_, S>,
    name: &str,
    photos: &[(String, RgbImage)],
    clock: &HostClock,
) -> Result<u32> {
    if photos.is_empty() {
        bail!("no photos to enrol {name} from");
    }
    let samples = u8::try_from(photos.len()).ok().filter(|n| *n <= 32);
    let Some(samples) = samples else {
        bail!("at most 32 photos per enrolment");
    };
    let config = KioskConfig {
        enrol_samples: samples,
        enrol_timeout_frames: u32::from(samples) + 1,
        ..*kiosk.config()
    };
    kiosk.set_config(config)?;
    kiosk.set_quality_gates(still_photo_gates());
    kiosk.start_enrolment(name)?;
    let mut rejected = Vec::new();
    for (label, image) in photos {
        let report = process_still(kiosk, image, clock)?;
        for e in &report.events {
            match e {
                Event::EnrolmentProgress { guidance, .. } if *guidance != Guidance::Ok => {
                    rejected.push(format!("{label}: {}", guidance_text(*guidance)));
                }
                Event::Enrolled { id, .. } => return Ok(*id),
                Event::EnrolmentFailed { reason, .. } => {
                    bail!(
                        "enrolment of {name} failed: {reason:?}; {}",
                        rejected.join("; ")
                    )
                }
                _ => {}
            }
        }
    }
    kiosk.cancel_enrolment();
    bail!(
        "enrolment of {name} needs every photo to pass the quality checks: {}",
        rejected.join("; ")
    )
}

/// Words for a guidance (what the photo should change).
pub fn guidance_text(g: Guidance) -> &'static str {
    match g {
        Guidance::NoFace => "no face found",
        Guidance::TooManyFaces => "more than one face",
        Guidance::ComeCloser => "face too small",
        Guidance::FaceTheCamera => "face not frontal",
        Guidance::HoldStill => "blurred, or unlike the other photos",
        Guidance::MoreLight => "too dark",
        Guidance::ShowRealFace => "not judged a live face",
        Guidance::Ok => "ok",
    }
}
