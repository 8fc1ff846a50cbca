// SPDX-License-Identifier: Apache-2.0
//! A fixed end-to-end scenario — enrol a person from one photo, then identify the faces in
//! other photos — whose text report must come out byte-identical on every target (host,
//! QEMU's Cortex-M55, the board's CPU backend). Floating-point results are printed as their
//! bit patterns next to a readable value, so any arithmetic difference shows.
//!
//! The m55 runner and `facegate selfcheck` both print it; CI compares the two. A board can
//! run it at boot as a self-test.

use core::fmt::Write;

use facegate_face::enroll::QualityGates;
use facegate_face::memstore::MemStore;
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame, PixelFormat};

use crate::detector::Detector;
use crate::kiosk::{FaceState, Kiosk, Stages, MAX_TRACKS};
use crate::ports::Clock;
use crate::recognizer::Recognizer;
use crate::{Error, Event, KioskConfig};

/// A packed RGB888 photo.
#[derive(Debug, Clone, Copy)]
pub struct Photo<'a> {
    /// Label printed in the report (e.g. the file name).
    pub label: &'a str,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 3` bytes, R, G, B.
    pub rgb: &'a [u8],
}

/// The scenario's inputs.
#[derive(Debug, Clone, Copy)]
pub struct Scenario<'a> {
    /// RetinaFace model file.
    pub detector: &'a [u8],
    /// Recognizer model file.
    pub recognizer: &'a [u8],
    /// Who is enrolled, from which photo.
    pub enrol: (&'a str, Photo<'a>),
    /// Photos to identify.
    pub probes: &'a [Photo<'a>],
}

/// A clock that ticks once per reading, so that nothing in the report depends on time.
struct Ticks(core::cell::Cell<u64>);

impl Clock for Ticks {
    fn now_us(&self) -> u64 {
        let t = self.0.get() + 1;
        self.0.set(t);
        t
    }
}

fn frame<'p>(p: &Photo<'p>) -> Result<Frame<'p>, Error> {
    Ok(Frame::packed(
        p.rgb,
        p.width,
        p.height,
        PixelFormat::Rgb888,
    )?)
}

/// `value(bits)`: a readable value and its exact bit pattern.
struct Exact(f32);

impl core::fmt::Display for Exact {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:.4}({:08x})", self.0, self.0.to_bits())
    }
}

/// Runs the scenario with the given tensor arenas and writes its report to `out`, one line
/// per result.
pub fn run(
    scenario: &Scenario<'_>,
    detector_arena: &mut [u8],
    recognizer_arena: &mut [u8],
    out: &mut impl Write,
) -> Result<(), Error> {
    let stages = Stages {
        detector: Detector::new(
            scenario.detector,
            detector_arena,
            RetinaFaceConfig::default(),
        )?,
        recognizer: Recognizer::new(scenario.recognizer, recognizer_arena)?,
        antispoof: None,
    };
    let config = KioskConfig {
        accept_unsure_liveness: true,
        max_work_per_frame: MAX_TRACKS as u8,
        enrol_samples: 1,
        ..KioskConfig::default()
    };
    let (mut kiosk, _) = Kiosk::<_, 4>::new(stages, MemStore::<5, 1024>::new(), config)?;
    kiosk.set_quality_gates(QualityGates {
        min_steady_iou: 0.0,
        ..QualityGates::default()
    });
    let clock = Ticks(core::cell::Cell::new(0));
    let fmt_err = |_| Error::InvalidConfig("report writer");

    let (name, photo) = scenario.enrol;
    kiosk.start_enrolment(name)?;
    let report = kiosk.process(&frame(&photo)?, &clock)?;
    let enrolled = report.events.iter().find_map(|e| match e {
        Event::Enrolled { id, .. } => Some(*id),
        _ => None,
    });
    match enrolled {
        Some(id) => writeln!(out, "pipeline enrol {name} from {}: id {id}", photo.label),
        None => writeln!(out, "pipeline enrol {name} from {}: FAILED", photo.label),
    }
    .map_err(fmt_err)?;

    for p in scenario.probes {
        kiosk.reset_tracking();
        let report = kiosk.process(&frame(p)?, &clock)?;
        writeln!(out, "pipeline {} faces {}", p.label, report.faces.len()).map_err(fmt_err)?;
        for (i, f) in report.faces.iter().enumerate() {
            let b = &f.detection.bbox;
            let who = match &f.state {
                FaceState::Recognized { name, .. } => name.as_str(),
                FaceState::Unknown => "unknown",
                FaceState::Spoof => "spoof",
                FaceState::Checking => "checking",
            };
            write!(
                out,
                "pipeline {} face {i} {who} sim {} score {} box {} {} {} {} lm",
                p.label,
                Exact(f.similarity.unwrap_or(f32::NAN)),
                Exact(f.detection.score),
                Exact(b.x0),
                Exact(b.y0),
                Exact(b.x1),
                Exact(b.y1),
            )
            .map_err(fmt_err)?;
            for lm in &f.detection.landmarks {
                write!(out, " {:08x},{:08x}", lm.x.to_bits(), lm.y.to_bits()).map_err(fmt_err)?;
            }
            writeln!(out).map_err(fmt_err)?;
        }
    }
    Ok(())
}

/// Runs every case of a model's golden vectors (LiteRT reference-kernel outputs) and writes
/// `golden STEM cases N elements M differing D`; returns the differing element count.
pub fn golden(
    stem: &str,
    model: &[u8],
    golden: &[u8],
    arena: &mut [u8],
    out: &mut impl Write,
) -> Result<usize, Error> {
    let golden = facegate_nn::fggv::Golden::parse(golden)?;
    let mut nn = facegate_nn::Interpreter::new(facegate_nn::Model::from_bytes(model)?, arena)?;
    let total = facegate_nn::fggv::run_all(&mut nn, &golden)?;
    writeln!(
        out,
        "golden {stem} cases {} elements {} differing {}",
        golden.len(),
        total.compared,
        total.mismatched
    )
    .map_err(|_| Error::InvalidConfig("report writer"))?;
    Ok(total.mismatched)
}
