// SPDX-License-Identifier: Apache-2.0
//! Bad and random input never panics: random tensors, random blobs, non-finite geometry.

use facegate_face::align::{align_face, BoxCrop, Similarity, ARCFACE_112};
use facegate_face::blazeface::{self, BlazeFaceConfig, BlazeFaceOutputs};
use facegate_face::memstore::MemStore;
use facegate_face::retinaface::{self, PriorBoxes, RetinaFaceConfig, RetinaFaceOutputs};
use facegate_face::{
    record, warp, Affine, BBox, Border, Canvas, ChannelOrder, Detection, Error, Frame,
    GalleryStore, Interp, Letterbox, PersistentGallery, PixelEncoder, PixelFormat, Point, Quant,
    ScoreKind, Tracker, TrackerConfig,
};

/// Deterministic pseudo-random bytes (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 56) as u8
    }

    fn fill(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| self.next() as i8).collect()
    }

    fn f32(&mut self, span: f32) -> f32 {
        (f32::from(self.next()) / 255.0 - 0.5) * span
    }
}

#[test]
fn random_detector_outputs_decode_without_panic() {
    let mut rng = Lcg(1);
    let priors = PriorBoxes::new(160, 120).unwrap();
    let n = priors.len();
    for round in 0..20 {
        let (loc, conf, landm) = (rng.fill(n * 4), rng.fill(n * 2), rng.fill(n * 10));
        let q = Quant::new(0.05 + round as f32 * 0.1, i32::from(rng.next() as i8)).unwrap();
        let out = RetinaFaceOutputs {
            loc: &loc,
            loc_q: q,
            conf: &conf,
            conf_q: q,
            landm: &landm,
            landm_q: q,
        };
        for kind in [ScoreKind::Probabilities, ScoreKind::Logits] {
            let cfg = RetinaFaceConfig {
                score_kind: kind,
                score_threshold: 0.3,
                top_k: 5,
                ..RetinaFaceConfig::default()
            };
            let mut dets: heapless::Vec<Detection, 64> = heapless::Vec::new();
            retinaface::decode(&out, &priors, &cfg, &Letterbox::IDENTITY, &mut dets).unwrap();
            assert!(dets.len() <= 5);
            assert!(dets.iter().all(|d| d.score >= 0.3 && d.score <= 1.0));
        }
        let boxes = rng.fill(blazeface::NUM_ANCHORS * blazeface::BOX_VALUES);
        let scores = rng.fill(blazeface::NUM_ANCHORS);
        let out = BlazeFaceOutputs {
            boxes: &boxes,
            boxes_q: q,
            scores: &scores,
            scores_q: q,
        };
        let mut dets: heapless::Vec<Detection, 64> = heapless::Vec::new();
        blazeface::decode(
            &out,
            &BlazeFaceConfig::default(),
            &Letterbox::IDENTITY,
            &mut dets,
        )
        .unwrap();
        assert!(dets.len() <= 16);
    }
}

#[test]
fn random_and_non_finite_geometry_is_an_error_or_works() {
    let mut rng = Lcg(2);
    let buf = vec![128u8; 32 * 24 * 2];
    let frame = Frame::packed(&buf, 32, 24, PixelFormat::Yuyv).unwrap();
    let enc = PixelEncoder::new(
        ChannelOrder::Rgb,
        [127.5; 3],
        [128.0; 3],
        Quant::new(1.0 / 128.0, 0).unwrap(),
    )
    .unwrap();
    let mut out = vec![0i8; 16 * 16 * 3];
    let specials = [
        f32::NAN,
        f32::INFINITY,
        -f32::INFINITY,
        1e30,
        -1e30,
        0.0,
        1e-30,
    ];
    for i in 0..300 {
        let mut v = [0.0f32; 6];
        for x in v.iter_mut() {
            *x = rng.f32(100.0);
        }
        if i % 3 == 0 {
            v[i % 6] = specials[i % specials.len()];
        }
        let map = Affine {
            a: v[0],
            b: v[1],
            tx: v[2],
            c: v[3],
            d: v[4],
            ty: v[5],
        };
        let mut canvas = Canvas::new(&mut out, 16, 16).unwrap();
        let _ = warp(
            &frame,
            &map,
            Interp::Bilinear,
            Border::Replicate,
            &enc,
            &mut canvas,
            None,
        );
        let mut lm = ARCFACE_112;
        lm[i % 5] = Point::new(v[0], v[1]);
        if i % 4 == 0 {
            lm = [Point::new(v[2], v[3]); 5];
        }
        let _ = align_face(&frame, &lm, &ARCFACE_112, &enc, &mut canvas);
        let b = BBox::new(v[0], v[1], v[2], v[3]);
        let _ = BoxCrop {
            scale: v[4],
            square: i % 2 == 0,
        }
        .crop(&frame, &b, &enc, &mut canvas);
    }
    // Absurd sizes are errors, not overflows.
    assert!(facegate_face::enroll::sharpness(&[0i8; 12], usize::MAX, 3).is_err());
    let mut tiny = [0i8; 3];
    assert!(Canvas::new(&mut tiny, usize::MAX, 2).is_err());
    let nan = [Point::new(f32::NAN, 0.0); 5];
    assert_eq!(
        Similarity::estimate(&nan, &ARCFACE_112),
        Err(Error::DegenerateLandmarks)
    );
    // The tracker survives non-finite boxes.
    let mut t: Tracker<4, 3> = Tracker::new(TrackerConfig::default());
    let d = Detection {
        bbox: BBox::new(f32::NAN, 0.0, f32::INFINITY, 5.0),
        ..Detection::default()
    };
    for _ in 0..10 {
        t.update(&[d, d]);
    }
    assert!(t.tracks().count() <= 4);
}

#[test]
fn random_blobs_in_the_store_are_reported_not_loaded() {
    let mut rng = Lcg(3);
    for round in 0..50 {
        let mut store: MemStore<9, 512> = MemStore::new();
        for key in 0..9u16 {
            let len = usize::from(rng.next()) + round;
            let blob: Vec<u8> = rng.fill(len).into_iter().map(|b| b as u8).collect();
            store.write(key, &blob).unwrap();
        }
        // Some blobs start with a valid header to get past the magic check.
        if let Some(raw) = store.raw_mut(3) {
            if raw.len() > 8 {
                raw[..4].copy_from_slice(&record::MAGIC);
                raw[4..6].copy_from_slice(&record::VERSION.to_le_bytes());
            }
        }
        let (g, report) = PersistentGallery::<_, 8, 16>::load(store).unwrap();
        assert_eq!(g.gallery().len(), 0);
        assert_eq!(report.corrupt, 9);
    }
}
