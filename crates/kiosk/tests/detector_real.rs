// SPDX-License-Identifier: Apache-2.0
//! The detection stage on real photos with the shipped int8 RetinaFace.

mod common;

use common::{model, photo};
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Detection, Frame, PixelFormat};
use facegate_kiosk::detector::{Detector, MAX_FACES};
use heapless::Vec;

fn detect(name: &str) -> (common::Photo, Vec<Detection, MAX_FACES>) {
    detect_with("detector_retinaface_mnet025.tflite", name)
}

fn detect_with(model_file: &str, name: &str) -> (common::Photo, Vec<Detection, MAX_FACES>) {
    let bytes = model(model_file);
    let mut arena = vec![0u8; 2 << 20];
    let mut det = Detector::new(&bytes, &mut arena, RetinaFaceConfig::default()).unwrap();
    let p = photo(name);
    let frame = Frame::packed(&p.rgb, p.width, p.height, PixelFormat::Rgb888).unwrap();
    let mut faces = Vec::new();
    det.detect(&frame, &mut faces).unwrap();
    (p, faces)
}

#[test]
fn group_photo_yields_six_faces() {
    let (_, faces) = detect("t1.jpg");
    assert_eq!(faces.len(), 6, "{faces:#?}");
}

#[test]
fn astronaut_yields_one_face_with_landmarks_inside_its_box() {
    let (p, faces) = detect("astronaut.png");
    assert_eq!(faces.len(), 1, "{faces:#?}");
    let f = &faces[0];
    let b = f.bbox;
    assert!(b.x0 >= 0.0 && b.y0 >= 0.0 && b.x1 <= p.width as f32 && b.y1 <= p.height as f32);
    for lm in f.landmarks {
        assert!(
            lm.x > b.x0 && lm.x < b.x1 && lm.y > b.y0 && lm.y < b.y1,
            "landmark {lm:?} outside {b:?}"
        );
    }
    // Eyes above the mouth corners, left eye left of the right eye.
    assert!(f.landmarks[0].x < f.landmarks[1].x);
    assert!(f.landmarks[0].y < f.landmarks[3].y && f.landmarks[1].y < f.landmarks[4].y);
}

#[test]
fn each_labelled_portrait_yields_one_face() {
    for name in ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"] {
        let (_, faces) = detect(name);
        assert_eq!(faces.len(), 1, "{name}: {faces:#?}");
        assert!(faces[0].score > 0.8, "{name}: {}", faces[0].score);
    }
}

#[test]
fn blazeface_alternative_finds_the_portraits_with_usable_landmarks() {
    for name in ["obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png"] {
        let (_, faces) = detect_with("detector_blazeface_short.tflite", name);
        assert_eq!(faces.len(), 1, "{name}: {faces:#?}");
        let f = &faces[0];
        let b = f.bbox;
        for lm in f.landmarks {
            assert!(
                lm.x > b.x0 && lm.x < b.x1 && lm.y > b.y0 && lm.y < b.y1,
                "{name}: landmark {lm:?} outside {b:?}"
            );
        }
        assert!(
            f.landmarks[0].x < f.landmarks[1].x,
            "{name}: eyes in image order"
        );
        assert!(
            f.landmarks[0].y < f.landmarks[3].y,
            "{name}: eye above mouth"
        );
    }
}

#[test]
fn blazeface_and_retinaface_agree_on_where_the_face_is() {
    for name in ["obama2.jpg", "astronaut.png"] {
        let (_, r) = detect(name);
        let (_, b) = detect_with("detector_blazeface_short.tflite", name);
        let iou = r[0].bbox.iou(&b[0].bbox);
        assert!(iou > 0.5, "{name}: IoU {iou}");
    }
}
