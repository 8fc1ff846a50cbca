// SPDX-License-Identifier: Apache-2.0
//! Draws a [`FrameReport`] on the screen with `facegate-overlay`: one box per face coloured
//! by its state, landmarks, name and score, liveness, the HUD (FPS and per-stage times) and
//! the status line or the enrolment panel. The same code draws on the board's framebuffer
//! and on the simulator's.

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use facegate_face::enroll::Guidance;
use facegate_face::liveness::Liveness;
use facegate_overlay as ov;
use heapless::Vec;

use crate::kiosk::{FaceState, FrameReport, Mode, MAX_TRACKS};

/// Most rectangles one frame's overlays touch (faces + HUD + status / panel).
pub const MAX_DRAWN: usize = MAX_TRACKS + 3;

/// Where the camera preview sits on the screen and the timing to show.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext {
    /// Camera-frame → display coordinates.
    pub mapping: ov::FrameMapping,
    /// Time between the last two frames, µs (0 = unknown).
    pub frame_period_us: u32,
    /// Time the previous frame spent drawing, µs.
    pub draw_us: u32,
}

fn point(p: facegate_face::Point, map: &ov::FrameMapping) -> Point {
    map.map_point(Point::new(
        libm::roundf(p.x) as i32,
        libm::roundf(p.y) as i32,
    ))
}

fn guidance(g: Guidance) -> ov::Guidance {
    match g {
        Guidance::Ok => ov::Guidance::HoldStill,
        Guidance::NoFace => ov::Guidance::LookAtCamera,
        Guidance::TooManyFaces => ov::Guidance::OneFaceOnly,
        Guidance::ComeCloser => ov::Guidance::ComeCloser,
        Guidance::FaceTheCamera => ov::Guidance::FaceTheCamera,
        Guidance::HoldStill => ov::Guidance::HoldStill,
        Guidance::MoreLight => ov::Guidance::MoreLight,
        Guidance::ShowRealFace => ov::Guidance::ShowRealFace,
    }
}

/// Draws `report`'s overlays; returns the rectangles touched (for dirty-region updates).
pub fn render<D>(
    report: &FrameReport,
    ctx: &RenderContext,
    layout: &ov::Layout,
    target: &mut D,
) -> Result<Vec<Rectangle, MAX_DRAWN>, D::Error>
where
    D: DrawTarget<Color = Rgb565>,
{
    let mut drawn = Vec::new();
    for f in &report.faces {
        let b = &f.detection.bbox;
        let top_left = point(facegate_face::Point::new(b.x0, b.y0), &ctx.mapping);
        let bottom_right = point(facegate_face::Point::new(b.x1, b.y1), &ctx.mapping);
        let bbox = Rectangle::with_corners(top_left, bottom_right);
        let state = match f.state {
            FaceState::Recognized { .. } => ov::FaceState::Recognized,
            FaceState::Unknown => ov::FaceState::Unknown,
            FaceState::Spoof => ov::FaceState::Spoof,
            FaceState::Checking => ov::FaceState::Checking,
        };
        let landmarks = f.detection.landmarks.map(|p| point(p, &ctx.mapping));
        let mut face = ov::Face::new(bbox, state)
            .with_landmarks(landmarks)
            .with_liveness(match f.liveness {
                Liveness::Live => ov::Liveness::Live,
                Liveness::Spoof => ov::Liveness::Spoof,
                Liveness::Unsure => ov::Liveness::Undecided,
            });
        face = match (&f.state, f.similarity) {
            (FaceState::Recognized { name, .. }, Some(s)) => face.with_identity(name.as_str(), s),
            (FaceState::Unknown, Some(s)) => face.with_similarity(s),
            _ => face,
        };
        let _ = drawn.push(ov::FaceOverlay::new(face, layout).draw(target)?);
    }
    let t = &report.times;
    let stats = ov::HudStats {
        frame_period_us: ctx.frame_period_us,
        stages: ov::hud::StageTimes {
            detect_us: t.detect_us,
            align_us: t.align_us,
            spoof_us: t.spoof_us,
            embed_us: t.embed_us,
            match_us: t.match_us,
            draw_us: ctx.draw_us,
        },
    };
    let _ = drawn.push(ov::Hud::new(stats, layout).draw(target)?);
    match &report.mode {
        Mode::Recognizing => {
            let _ = drawn.push(ov::StatusLine::new(ov::Mode::Recognizing, layout).draw(target)?);
        }
        Mode::Enrolling {
            name,
            captured,
            needed,
            guidance: g,
        } => {
            let enrolment = ov::Enrolment {
                name: name.as_str(),
                captured: *captured,
                needed: *needed,
                guidance: guidance(*g),
            };
            let _ = drawn.push(ov::EnrolPanel::new(enrolment, layout).draw(target)?);
            let _ = drawn
                .push(ov::StatusLine::new(ov::Mode::Enrolling(enrolment), layout).draw(target)?);
        }
    }
    Ok(drawn)
}
