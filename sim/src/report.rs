// SPDX-License-Identifier: Apache-2.0
//! Turning kiosk results into what a person reads: table rows and JSON objects.

use facegate_face::liveness::Liveness;
use facegate_kiosk::{FaceState, FaceStatus, FrameReport, StageTimes};
use serde_json::{json, Value};

/// "live", "spoof" or "unsure".
pub fn liveness_word(l: Liveness) -> &'static str {
    match l {
        Liveness::Live => "live",
        Liveness::Spoof => "spoof",
        Liveness::Unsure => "unsure",
    }
}

/// The identity column: the name, "unknown", "SPOOF" or "checking".
pub fn identity_word(f: &FaceStatus) -> String {
    match &f.state {
        FaceState::Recognized { name, .. } => name.to_string(),
        FaceState::Unknown => "unknown".into(),
        FaceState::Spoof => "SPOOF".into(),
        FaceState::Checking => "checking".into(),
    }
}

fn ms(us: u32) -> f64 {
    f64::from(us) / 1000.0
}

/// Stage times in milliseconds as JSON.
pub fn times_json(t: &StageTimes) -> Value {
    json!({
        "detect_ms": ms(t.detect_us),
        "align_ms": ms(t.align_us),
        "spoof_ms": ms(t.spoof_us),
        "embed_ms": ms(t.embed_us),
        "match_ms": ms(t.match_us),
    })
}

/// One face as JSON.
pub fn face_json(f: &FaceStatus) -> Value {
    let b = &f.detection.bbox;
    let identity = match &f.state {
        FaceState::Recognized { name, .. } => Value::from(name.as_str()),
        _ => Value::Null,
    };
    json!({
        "track": f.track,
        "box": [b.x0, b.y0, b.x1, b.y1],
        "landmarks": f.detection.landmarks.iter().map(|p| [p.x, p.y]).collect::<Vec<_>>(),
        "detection_score": f.detection.score,
        "state": match f.state {
            FaceState::Recognized { .. } => "recognized",
            FaceState::Unknown => "unknown",
            FaceState::Spoof => "spoof",
            FaceState::Checking => "checking",
        },
        "identity": identity,
        "similarity": f.similarity,
        "liveness": liveness_word(f.liveness),
        "spoof_score": f.spoof_score,
    })
}

/// A whole frame as JSON.
pub fn frame_json(image: &str, report: &FrameReport) -> Value {
    json!({
        "image": image,
        "detections": report.detections,
        "faces": report.faces.iter().map(face_json).collect::<Vec<_>>(),
        "times": times_json(&report.times),
    })
}

/// The table header of `facegate demo` and `facegate identify`.
pub const TABLE_HEADER: &str =
    "image                 faces  identity      score  liveness  detect  align  spoof  embed  match (ms)";

/// Table rows for one frame: one per face (or one "no face" row).
pub fn table_rows(image: &str, report: &FrameReport) -> Vec<String> {
    let t = &report.times;
    let stages = format!(
        "{:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.2}",
        ms(t.detect_us),
        ms(t.align_us),
        ms(t.spoof_us),
        ms(t.embed_us),
        ms(t.match_us)
    );
    let mut rows = table_face_rows(image, report, &stages);
    if report.detections > report.faces.len() {
        rows.push(format!(
            "{:<21} note: {} faces detected, {} shown (the kiosk tracks at most {})",
            "",
            report.detections,
            report.faces.len(),
            facegate_kiosk::kiosk::MAX_TRACKS
        ));
    }
    rows
}

fn table_face_rows(image: &str, report: &FrameReport, stages: &str) -> Vec<String> {
    if report.faces.is_empty() {
        return vec![format!(
            "{image:<21} {:>5}  {:<12} {:>6}  {:<8} {stages}",
            0, "-", "-", "-"
        )];
    }
    report
        .faces
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (name, count, st) = if i == 0 {
                (image, report.faces.len().to_string(), stages.to_string())
            } else {
                ("", String::new(), String::new())
            };
            let score = f.similarity.map_or("-".into(), |s| format!("{s:.3}"));
            format!(
                "{name:<21} {count:>5}  {:<12} {score:>6}  {:<8} {st}",
                identity_word(f),
                liveness_word(f.liveness)
            )
        })
        .collect()
}
