// SPDX-License-Identifier: Apache-2.0
//! The whole kiosk on real photos: each labelled person enrolled from one photo is
//! recognised in their other photos and everyone else is unknown.

mod common;

use common::{model, photo, Photo, TickClock};
use facegate_face::enroll::QualityGates;
use facegate_face::memstore::MemStore;
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame, PixelFormat};
use facegate_kiosk::detector::Detector;
use facegate_kiosk::recognizer::Recognizer;
use facegate_kiosk::{Event, FaceState, FrameReport, Kiosk, KioskConfig, Stages};

type Store = MemStore<9, 1024>;

fn frame(p: &Photo) -> Frame<'_> {
    Frame::packed(&p.rgb, p.width, p.height, PixelFormat::Rgb888).unwrap()
}

fn config(samples: u8) -> KioskConfig {
    KioskConfig {
        // No anti-spoof model in this test: liveness stays unsure and must be accepted.
        accept_unsure_liveness: true,
        max_work_per_frame: 8,
        enrol_samples: samples,
        ..KioskConfig::default()
    }
}

struct Models {
    det: Vec<u8>,
    rec: Vec<u8>,
    det_arena: Vec<u8>,
    rec_arena: Vec<u8>,
}

impl Models {
    fn load() -> Self {
        Self {
            det: model("detector_retinaface_mnet025.tflite"),
            rec: model("recognizer_mobilefacenet.tflite"),
            det_arena: vec![0; 2 << 20],
            rec_arena: vec![0; 4 << 20],
        }
    }

    fn kiosk(&mut self, store: Store) -> Kiosk<'_, '_, Store, 8> {
        let stages = Stages {
            detector: Detector::new(&self.det, &mut self.det_arena, RetinaFaceConfig::default())
                .unwrap(),
            recognizer: Recognizer::new(&self.rec, &mut self.rec_arena).unwrap(),
            antispoof: None,
        };
        let (mut k, report) = Kiosk::new(stages, store, config(1)).unwrap();
        assert_eq!(report.corrupt, 0);
        k.set_quality_gates(QualityGates {
            min_steady_iou: 0.0,
            ..QualityGates::default()
        });
        k
    }
}

fn still(k: &mut Kiosk<'_, '_, Store, 8>, name: &str) -> FrameReport {
    let p = photo(name);
    k.reset_tracking();
    k.process(&frame(&p), &TickClock::default()).unwrap()
}

fn enrol(k: &mut Kiosk<'_, '_, Store, 8>, name: &str, file: &str) -> u32 {
    k.start_enrolment(name).unwrap();
    let r = still(k, file);
    r.events
        .iter()
        .find_map(|e| match e {
            Event::Enrolled { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{name} not enrolled from {file}: {:?}", r.events))
}

fn identities(r: &FrameReport) -> Vec<String> {
    r.faces
        .iter()
        .map(|f| match &f.state {
            FaceState::Recognized { name, .. } => name.to_string(),
            FaceState::Unknown => "unknown".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn enrolled_people_are_recognised_and_strangers_are_unknown() {
    let mut models = Models::load();
    let mut k = models.kiosk(Store::new());
    enrol(&mut k, "Obama", "obama.jpg");
    enrol(&mut k, "Biden", "biden.jpg");
    k.set_config(config(1)).unwrap();

    for file in ["obama2.jpg", "obama3.jpg"] {
        let r = still(&mut k, file);
        assert_eq!(identities(&r), ["Obama"], "{file}");
        let s = r.faces[0].similarity.unwrap();
        assert!(s > 0.7, "{file}: similarity {s}");
    }
    for file in ["astronaut.png", "Tom_Hanks_54745.png"] {
        let r = still(&mut k, file);
        assert_eq!(identities(&r), ["unknown"], "{file}");
    }
    let r = still(&mut k, "t1.jpg");
    assert!(r.faces.len() >= 5, "{:?}", identities(&r));
    assert!(
        identities(&r).iter().all(|i| i == "unknown"),
        "{:?}",
        identities(&r)
    );
}

#[test]
fn duplicate_names_and_a_full_gallery_are_refused_before_posing() {
    let mut models = Models::load();
    let mut k = models.kiosk(Store::new());
    enrol(&mut k, "Obama", "obama.jpg");
    assert_eq!(
        k.start_enrolment("Obama"),
        Err(facegate_kiosk::Error::Face(
            facegate_face::Error::DuplicateName
        ))
    );
    assert!(k.start_enrolment(&"x".repeat(33)).is_err());
    for i in 0..7 {
        enrol(&mut k, &format!("p{i}"), "obama.jpg");
    }
    assert_eq!(k.gallery().len(), 8);
    assert_eq!(
        k.start_enrolment("one-too-many"),
        Err(facegate_kiosk::Error::Face(
            facegate_face::Error::GalleryFull
        ))
    );
}
