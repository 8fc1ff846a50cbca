// SPDX-License-Identifier: Apache-2.0
//! End-to-end use of the face pipeline as the kiosk drives it, with the neural networks
//! replaced by synthetic int8 outputs: frame -> detector input -> decode -> track -> align /
//! anti-spoof crop -> enrol -> persist -> reboot -> match -> verdict.

use facegate_face::align::{align_face, BoxCrop, ARCFACE_112};
use facegate_face::enroll::{brightness, sharpness};
use facegate_face::liveness::{dtn_spoof_score, verdict, Liveness, LivenessPolicy, Verdict};
use facegate_face::memstore::MemStore;
use facegate_face::retinaface::{self, PriorBoxes, RetinaFaceConfig, RetinaFaceOutputs};
use facegate_face::{align::Similarity, BBox, Observation};
use facegate_face::{
    match_face, preprocess, Canvas, ChannelOrder, Detection, Embedding, Enroller, Fit, Frame,
    Guidance, InputSpec, Interp, MatchOutcome, MatchPolicy, PersistentGallery, PixelEncoder,
    PixelFormat, Point, QualityGates, Quant, Sample, ScoreKind, Tracker, TrackerConfig,
};

const D: usize = 16;
type Store = MemStore<9, 256>;

/// A 640 x 480 RGB565 frame: mid-grey with a fine texture (so crops are sharp).
fn camera_frame() -> Vec<u8> {
    let (w, h) = (640, 480);
    let mut buf = vec![0u8; w * h * 2];
    for y in 0..h {
        for x in 0..w {
            let v = if (x / 2 + y / 2) % 2 == 0 { 24u16 } else { 12 };
            let px = (v << 11) | ((2 * v) << 5) | v;
            buf[2 * (y * w + x)..2 * (y * w + x) + 2].copy_from_slice(&px.to_le_bytes());
        }
    }
    buf
}

/// Where the synthetic face is in the frame: the template at 1.6x, shifted to (300, 150).
fn face_in_frame() -> (BBox, [Point; 5]) {
    let s = Similarity {
        a: 1.6,
        b: 0.0,
        tx: 300.0,
        ty: 150.0,
    };
    (
        BBox::new(300.0, 150.0, 300.0 + 112.0 * 1.6, 150.0 + 112.0 * 1.6),
        ARCFACE_112.map(|p| s.apply(p)),
    )
}

/// What RetinaFace would output for that face (model coordinates via the letterbox).
fn detector_outputs(
    priors: &PriorBoxes,
    lb: &facegate_face::Letterbox,
) -> (Vec<i8>, Vec<i8>, Vec<i8>, Quant, Quant) {
    let (bbox, lms) = face_in_frame();
    let mb = BBox::new(
        lb.to_model(Point::new(bbox.x0, bbox.y0)).x,
        lb.to_model(Point::new(bbox.x0, bbox.y0)).y,
        lb.to_model(Point::new(bbox.x1, bbox.y1)).x,
        lb.to_model(Point::new(bbox.x1, bbox.y1)).y,
    );
    let mlms = lms.map(|p| lb.to_model(p));
    let n = priors.len();
    let lq = Quant::new(0.06, 0).unwrap();
    // Logits, as the shipped model's conf output (scale ~0.065, zero point 6).
    let cq = Quant::new(0.065, 6).unwrap();
    let mut loc = vec![0i8; n * 4];
    let mut landm = vec![0i8; n * 10];
    let mut conf = vec![0i8; n * 2];
    for pair in conf.chunks_mut(2) {
        pair[0] = cq.quantize(2.0);
        pair[1] = cq.quantize(-2.0);
    }
    // The prior closest in centre and size gets the face.
    let (w, h) = (priors.width() as f32, priors.height() as f32);
    let c = mb.center();
    let best = (0..n)
        .min_by(|&i, &j| {
            let d = |k: usize| {
                let p = priors.get(k).unwrap();
                (p.cx * w - c.x).abs() + (p.cy * h - c.y).abs() + (p.w * w - mb.width()).abs()
            };
            d(i).total_cmp(&d(j))
        })
        .unwrap();
    let (l, m) = retinaface::encode(&priors.get(best).unwrap(), &mb, &mlms, w, h);
    for (o, v) in loc[4 * best..4 * best + 4].iter_mut().zip(l) {
        *o = lq.quantize(v);
    }
    for (o, v) in landm[10 * best..10 * best + 10].iter_mut().zip(m) {
        *o = lq.quantize(v);
    }
    conf[2 * best] = cq.quantize(-3.0);
    conf[2 * best + 1] = cq.quantize(3.0);
    (loc, conf, landm, lq, cq)
}

/// Stand-in recognizer: a person's int8 embedding with a little per-frame noise.
fn recognizer(person: u8, frame_no: usize) -> Embedding<D> {
    let mut q = [0i8; D];
    for (i, v) in q.iter_mut().enumerate() {
        let base = ((i * 37 + usize::from(person) * 91) % 200) as i32 - 100;
        let noise = ((i + frame_no * 7) % 5) as i32 - 2;
        *v = (base + noise) as i8;
    }
    Embedding::from_i8(&q, 0).unwrap()
}

#[test]
fn kiosk_flow_end_to_end() {
    let buf = camera_frame();
    let frame = Frame::packed(&buf, 640, 480, PixelFormat::Rgb565).unwrap();

    // Detector input, as the shipped RetinaFace takes it (tools/models/build_retinaface.py):
    // 320 x 240, RGB, int8 = pixel - 128 (the BGR mean is folded into the model), grey pad.
    let det_enc = PixelEncoder::pixel_minus_128(ChannelOrder::Rgb);
    let spec = InputSpec {
        width: 320,
        height: 240,
        fit: Fit::LetterboxCenter,
        interp: Interp::Bilinear,
        pad: [128; 3],
    };
    let mut det_in = vec![0i8; 320 * 240 * 3];
    let lb = preprocess(&frame, &spec, &det_enc, &mut det_in).unwrap();
    assert_eq!((lb.scale_x, lb.offset_x, lb.offset_y), (0.5, 0.0, 0.0));

    // (The engine would run here.) Decode synthetic outputs.
    let priors = PriorBoxes::new(320, 240).unwrap();
    let (loc, conf, landm, lq, cq) = detector_outputs(&priors, &lb);
    let outs = RetinaFaceOutputs {
        loc: &loc,
        loc_q: lq,
        conf: &conf,
        conf_q: cq,
        landm: &landm,
        landm_q: lq,
    };
    let cfg = RetinaFaceConfig::default();
    assert_eq!(cfg.score_kind, ScoreKind::Logits);
    let mut dets: heapless::Vec<Detection, 32> = heapless::Vec::new();
    retinaface::decode(&outs, &priors, &cfg, &lb, &mut dets).unwrap();
    assert_eq!(dets.len(), 1);
    let (truth, truth_lm) = face_in_frame();
    assert!(dets[0].bbox.iou(&truth) > 0.9, "{:?}", dets[0].bbox);
    for (a, b) in dets[0].landmarks.iter().zip(truth_lm.iter()) {
        assert!((a.x - b.x).abs() < 3.0 && (a.y - b.y).abs() < 3.0);
    }

    // Recognizer input (shipped MobileFaceNet: RGB, (v - 128) / 128 at scale 1/128, i.e.
    // q = pixel - 128 again).
    let rec_enc = PixelEncoder::pixel_minus_128(ChannelOrder::Rgb);
    // Anti-spoof input (DTN: RGB / 255 into 256 x 256; box with context).
    let spoof_enc = PixelEncoder::new(
        ChannelOrder::Rgb,
        [0.0; 3],
        [255.0; 3],
        Quant::new(1.0 / 255.0, -128).unwrap(),
    )
    .unwrap();

    let mut tracker: Tracker<4, 5> = Tracker::new(TrackerConfig::default());
    let (mut persistent, report) = PersistentGallery::<Store, 8, D>::load(Store::new()).unwrap();
    assert_eq!(report.loaded, 0);
    let mut enroller: Enroller<D> = Enroller::new(QualityGates::default(), 3).unwrap();
    let mut aligned = vec![0i8; 112 * 112 * 3];
    let mut spoof_in = vec![0i8; 256 * 256 * 3];

    // Enrolment: the same face over several frames.
    for frame_no in 0..4 {
        tracker.update(&dets);
        let mut work: heapless::Vec<u32, 4> = heapless::Vec::new();
        tracker.work(&mut work);
        let track_id = tracker.tracks().next().unwrap().id();
        let d = *tracker.get(track_id).unwrap().detection();
        let mut crop = Canvas::new(&mut aligned, 112, 112).unwrap();
        let sim = align_face(&frame, &d.landmarks, &ARCFACE_112, &rec_enc, &mut crop).unwrap();
        assert!((sim.scale() - 1.0 / 1.6).abs() < 0.02);
        let mut sp = Canvas::new(&mut spoof_in, 256, 256).unwrap();
        BoxCrop {
            scale: 1.5,
            square: true,
        }
        .crop(&frame, &d.bbox, &spoof_enc, &mut sp)
        .unwrap();
        // Synthetic DTN outputs of a live face: all leaf scores near 0.
        let leaves = [1i8; 8];
        let mask = [127i8; 8];
        let q = Quant::new(0.002, 0).unwrap();
        let live = LivenessPolicy::DTN.decide(dtn_spoof_score(&leaves, q, &mask, q).unwrap());
        assert_eq!(live, Liveness::Live);
        let emb = recognizer(1, frame_no);
        tracker.record(
            track_id,
            Observation {
                identity: None,
                liveness: live,
            },
        );
        let g = enroller.offer(&Sample {
            faces: dets.len(),
            detection: &d,
            sharpness: sharpness(&aligned, 112, 112).unwrap(),
            brightness: brightness(&frame, &d.bbox),
            liveness: live,
            embedding: &emb,
        });
        assert_eq!(g, Guidance::Ok, "frame {frame_no}");
        if enroller.is_complete() {
            break;
        }
    }
    let template = enroller.template().unwrap();
    let ada = persistent.enroll("Ada", template).unwrap();
    persistent.enroll("Bob", recognizer(2, 0)).unwrap();

    // Reboot: the gallery comes back from the store.
    let (persistent, report) =
        PersistentGallery::<Store, 8, D>::load(persistent.into_store()).unwrap();
    assert_eq!(report.loaded, 2);
    let gallery = persistent.gallery();

    // Recognition of a later frame of Ada, then a spoof attempt, then a stranger.
    let probe = recognizer(1, 9);
    let outcome = match_face(gallery, &probe, &MatchPolicy::default());
    assert_eq!(outcome.id(), Some(ada), "{outcome:?}");
    assert!(matches!(
        verdict(&outcome, Liveness::Live, false),
        Verdict::Accepted { id, .. } if id == ada
    ));
    assert_eq!(verdict(&outcome, Liveness::Spoof, true), Verdict::Spoof);
    let stranger = match_face(gallery, &recognizer(3, 0), &MatchPolicy::default());
    assert!(
        matches!(stranger, MatchOutcome::Unknown { .. }),
        "{stranger:?}"
    );
}
