// SPDX-License-Identifier: Apache-2.0
//! The anti-spoof stage with the shipped int8 Deep Tree Network on real photos. No
//! presentation-attack images exist in any reachable package, so this checks plumbing and
//! agreement with the float model's calls (models/README.md): the portraits are live, and the
//! astronaut photo is a spoof to the int8 model as it is to the float one (score 0.99).

mod common;

use common::{model, photo};
use facegate_face::liveness::Liveness;
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame, PixelFormat};
use facegate_kiosk::antispoof::{AntiSpoof, AntiSpoofSpec};
use facegate_kiosk::detector::Detector;

#[test]
fn calls_agree_with_the_float_model_on_real_photos() {
    let det_model = model("detector_retinaface_mnet025.tflite");
    let dtn_model = model("antispoof_dtn.tflite");
    let mut det_arena = vec![0u8; 2 << 20];
    let mut dtn_arena = vec![0u8; 8 << 20];
    let mut det = Detector::new(&det_model, &mut det_arena, RetinaFaceConfig::default()).unwrap();
    let mut dtn = AntiSpoof::new(&dtn_model, &mut dtn_arena, AntiSpoofSpec::DTN).unwrap();
    for (name, expected) in [
        ("obama2.jpg", Liveness::Live),
        ("biden.jpg", Liveness::Live),
        ("astronaut.png", Liveness::Spoof),
    ] {
        let p = photo(name);
        let frame = Frame::packed(&p.rgb, p.width, p.height, PixelFormat::Rgb888).unwrap();
        let mut faces = heapless::Vec::new();
        det.detect(&frame, &mut faces).unwrap();
        assert_eq!(faces.len(), 1, "{name}");
        let check = dtn.check(&frame, &faces[0]).unwrap();
        assert_eq!(
            check.liveness, expected,
            "{name}: spoof score {}",
            check.score
        );
    }
}
