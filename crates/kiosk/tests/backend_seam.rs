// SPDX-License-Identifier: Apache-2.0
//! The kiosk runs on any `Backend`: a counting wrapper around the CPU kernels shows the
//! per-frame budget at work (detection every frame, recognition only for new tracks), and a
//! backend that cannot run an op gets the model refused with the op and node named.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{model, photo, TickClock};
use facegate_face::memstore::MemStore;
use facegate_face::retinaface::RetinaFaceConfig;
use facegate_face::{Frame, PixelFormat};
use facegate_kiosk::detector::Detector;
use facegate_kiosk::recognizer::Recognizer;
use facegate_kiosk::{Kiosk, KioskConfig, Stages};
use facegate_nn::backend::{Backend, Support};
use facegate_nn::{Cpu, Model, Plan};

/// The CPU kernels, counting invocations.
#[derive(Debug)]
struct Counting(Rc<Cell<u32>>);

impl Backend for Counting {
    fn name(&self) -> &'static str {
        "counting CPU"
    }
    fn support(&self, code: i32) -> Support {
        Cpu.support(code)
    }
    fn invoke(
        &mut self,
        model: &Model<'_>,
        plan: &Plan,
        arena: &mut [u8],
    ) -> Result<(), facegate_nn::Error> {
        self.0.set(self.0.get() + 1);
        Cpu.invoke(model, plan, arena)
    }
}

/// A backend without LEAKY_RELU (TFLite builtin 98).
#[derive(Debug)]
struct NoLeakyRelu;

impl Backend for NoLeakyRelu {
    fn name(&self) -> &'static str {
        "no-leaky-relu"
    }
    fn support(&self, code: i32) -> Support {
        if code == 98 {
            Support::No
        } else {
            Support::Yes
        }
    }
    fn invoke(&mut self, _: &Model<'_>, _: &Plan, _: &mut [u8]) -> Result<(), facegate_nn::Error> {
        unreachable!("a refused model is never run")
    }
}

#[test]
fn recognition_runs_only_for_new_tracks() {
    let det_model = model("detector_retinaface_mnet025.tflite");
    let rec_model = model("recognizer_mobilefacenet.tflite");
    let (mut da, mut ra) = (vec![0u8; 2 << 20], vec![0u8; 4 << 20]);
    let det_calls = Rc::new(Cell::new(0));
    let rec_calls = Rc::new(Cell::new(0));
    let stages = Stages {
        detector: Detector::with_backend(
            &det_model,
            &mut da,
            RetinaFaceConfig::default(),
            Counting(det_calls.clone()),
        )
        .unwrap(),
        recognizer: Recognizer::with_backend(&rec_model, &mut ra, Counting(rec_calls.clone()))
            .unwrap(),
        antispoof: None,
    };
    let config = KioskConfig {
        accept_unsure_liveness: true,
        refresh_frames: 10,
        max_work_per_frame: 8,
        ..KioskConfig::default()
    };
    let (mut kiosk, _) = Kiosk::<_, 4, _>::new(stages, MemStore::<5, 1024>::new(), config).unwrap();
    let p = photo("t1.jpg");
    let frame = Frame::packed(&p.rgb, p.width, p.height, PixelFormat::Rgb888).unwrap();
    let clock = TickClock::default();
    for _ in 0..5 {
        let r = kiosk.process(&frame, &clock).unwrap();
        assert_eq!(r.faces.len(), 6);
    }
    assert_eq!(det_calls.get(), 5, "detection runs every frame");
    assert_eq!(
        rec_calls.get(),
        6,
        "one recognition per new face, none for steady tracks"
    );
    for _ in 0..10 {
        kiosk.process(&frame, &clock).unwrap();
    }
    assert_eq!(
        rec_calls.get(),
        12,
        "each face is looked at again after refresh_frames"
    );
}

#[test]
fn a_backend_that_lacks_an_op_refuses_the_model_naming_it() {
    let det_model = model("detector_retinaface_mnet025.tflite");
    let mut arena = vec![0u8; 2 << 20];
    let err = Detector::with_backend(
        &det_model,
        &mut arena,
        RetinaFaceConfig::default(),
        NoLeakyRelu,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("LEAKY_RELU") && text.contains("node"),
        "{text}"
    );
}
