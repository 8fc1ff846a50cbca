// SPDX-License-Identifier: Apache-2.0
//! Host benchmark of the frame -> int8 input paths (not a test): letterbox resize of a VGA
//! RGB565 frame into RetinaFace's 320 x 240 input, and a 112 x 112 alignment warp.
//! Run: `cargo run --release -p facegate-face --example bench_preprocess`.

use facegate_face::align::{align_face, ARCFACE_112};
use facegate_face::{
    preprocess, Canvas, ChannelOrder, Fit, Frame, InputSpec, Interp, PixelEncoder, PixelFormat,
    Point, Quant,
};
use std::time::Instant;

fn main() {
    let (w, h) = (640, 480);
    let buf: Vec<u8> = (0..w * h * 2).map(|i| (i * 31 % 251) as u8).collect();
    let frame = Frame::packed(&buf, w, h, PixelFormat::Rgb565).unwrap();
    let enc = PixelEncoder::new(
        ChannelOrder::Bgr,
        [104.0, 117.0, 123.0],
        [1.0; 3],
        Quant::new(1.0, 0).unwrap(),
    )
    .unwrap();
    let mut out = vec![0i8; 320 * 240 * 3];
    let reps = 50;
    for interp in [Interp::Nearest, Interp::Bilinear] {
        let spec = InputSpec {
            width: 320,
            height: 240,
            fit: Fit::LetterboxCenter,
            interp,
            pad: [0; 3],
        };
        let t = Instant::now();
        for _ in 0..reps {
            preprocess(&frame, &spec, &enc, &mut out).unwrap();
        }
        let ms = t.elapsed().as_secs_f64() * 1e3 / reps as f64;
        println!("preprocess 640x480 RGB565 -> 320x240 {interp:?}: {ms:.3} ms");
    }
    let lm = ARCFACE_112.map(|p| Point::new(p.x * 1.7 + 250.0, p.y * 1.7 + 120.0));
    let mut crop = vec![0i8; 112 * 112 * 3];
    let t = Instant::now();
    for _ in 0..reps * 10 {
        let mut c = Canvas::new(&mut crop, 112, 112).unwrap();
        align_face(&frame, &lm, &ARCFACE_112, &enc, &mut c).unwrap();
    }
    let ms = t.elapsed().as_secs_f64() * 1e3 / (reps * 10) as f64;
    println!("align 112x112 bilinear: {ms:.3} ms");
}
