// SPDX-License-Identifier: Apache-2.0
//! From a camera frame straight into a detector's int8 input: letterbox resize, channel order
//! and normalisation folded into one u8 -> i8 lookup table per channel.

use crate::detection::Detection;
use crate::frame::Frame;
use crate::geometry::{BBox, Point};
use crate::warp::{warp, Affine, Border, Canvas, Interp, Region};
use crate::{Error, Quant};

/// Channel order the model expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelOrder {
    /// Red, green, blue.
    Rgb,
    /// Blue, green, red.
    Bgr,
}

/// Turns an RGB pixel into a model's three int8 input values: reorders channels, then maps
/// each 8-bit value through a table that folds `(v - mean) / std` and the input
/// quantisation `q = round(x / scale) + zero_point` into one lookup.
#[derive(Clone)]
pub struct PixelEncoder {
    order: ChannelOrder,
    tables: [[i8; 256]; 3],
}

impl core::fmt::Debug for PixelEncoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PixelEncoder")
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}

impl PixelEncoder {
    /// Builds the tables. `mean` and `std` are in 0..255 pixel units, indexed in the MODEL's
    /// channel order (e.g. RetinaFace BGR: mean `[104, 117, 123]`, std `[1, 1, 1]`;
    /// MobileFaceNet RGB: mean 127.5, std 128); `input` is the input tensor's quantisation.
    pub fn new(
        order: ChannelOrder,
        mean: [f32; 3],
        std: [f32; 3],
        input: Quant,
    ) -> Result<Self, Error> {
        let mut tables = [[0i8; 256]; 3];
        for (ch, table) in tables.iter_mut().enumerate() {
            if !(std[ch].is_finite() && std[ch] > 0.0 && mean[ch].is_finite()) {
                return Err(Error::InvalidParameter("normalisation mean/std"));
            }
            for (v, t) in table.iter_mut().enumerate() {
                *t = input.quantize((v as f32 - mean[ch]) / std[ch]);
            }
        }
        Ok(Self { order, tables })
    }

    /// `q = pixel - 128` on every channel: the input convention of every shipped model
    /// (models/README.md: the normalisation is folded into each model, whatever its input
    /// scale). Exact, no float involved.
    pub fn pixel_minus_128(order: ChannelOrder) -> Self {
        let mut table = [0i8; 256];
        for (v, t) in table.iter_mut().enumerate() {
            *t = (v as i32 - 128) as i8;
        }
        Self {
            order,
            tables: [table; 3],
        }
    }

    /// The model's channel order.
    pub fn order(&self) -> ChannelOrder {
        self.order
    }

    /// Encodes one RGB pixel.
    pub fn encode(&self, rgb: [u8; 3]) -> [i8; 3] {
        let v = match self.order {
            ChannelOrder::Rgb => rgb,
            ChannelOrder::Bgr => [rgb[2], rgb[1], rgb[0]],
        };
        [
            self.tables[0][usize::from(v[0])],
            self.tables[1][usize::from(v[1])],
            self.tables[2][usize::from(v[2])],
        ]
    }
}

/// How the frame is fitted into the model input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Keep aspect ratio, pad the rest, content centred.
    LetterboxCenter,
    /// Keep aspect ratio, pad right and bottom.
    LetterboxTopLeft,
    /// Scale each axis independently to fill the input.
    Stretch,
}

/// The mapping between frame and model input, continuous coordinates:
/// `model = frame * scale + offset` per axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Model pixels per frame pixel, horizontally.
    pub scale_x: f32,
    /// Model pixels per frame pixel, vertically.
    pub scale_y: f32,
    /// Left padding in model pixels.
    pub offset_x: f32,
    /// Top padding in model pixels.
    pub offset_y: f32,
}

impl Letterbox {
    /// Model input = frame.
    pub const IDENTITY: Letterbox = Letterbox {
        scale_x: 1.0,
        scale_y: 1.0,
        offset_x: 0.0,
        offset_y: 0.0,
    };

    /// Frame point of a model-input point.
    pub fn to_frame(&self, p: Point) -> Point {
        Point::new(
            (p.x - self.offset_x) / self.scale_x,
            (p.y - self.offset_y) / self.scale_y,
        )
    }

    /// Model-input point of a frame point.
    pub fn to_model(&self, p: Point) -> Point {
        Point::new(
            p.x * self.scale_x + self.offset_x,
            p.y * self.scale_y + self.offset_y,
        )
    }

    /// A model-input box in frame coordinates.
    pub fn bbox_to_frame(&self, b: &BBox) -> BBox {
        let a = self.to_frame(Point::new(b.x0, b.y0));
        let c = self.to_frame(Point::new(b.x1, b.y1));
        BBox::new(a.x, a.y, c.x, c.y)
    }

    /// A detection (box and landmarks) in frame coordinates.
    pub fn detection_to_frame(&self, d: &Detection) -> Detection {
        d.map_points(|p| self.to_frame(p))
    }

    /// Maps every detection in place to frame coordinates.
    pub fn all_to_frame(&self, dets: &mut [Detection]) {
        for d in dets {
            *d = self.detection_to_frame(d);
        }
    }
}

/// A model input: its size, how to resample and what the padding looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    /// Input width in pixels.
    pub width: usize,
    /// Input height in pixels.
    pub height: usize,
    /// Fit mode.
    pub fit: Fit,
    /// Resampling filter.
    pub interp: Interp,
    /// RGB colour of the padding (encoded like a pixel; BlazeFace wants mid-grey).
    pub pad: [u8; 3],
}

/// Where the frame's content lands in the input, in whole model pixels.
fn placement(frame_w: usize, frame_h: usize, spec: &InputSpec) -> (usize, usize, usize, usize) {
    match spec.fit {
        Fit::Stretch => (spec.width, spec.height, 0, 0),
        Fit::LetterboxCenter | Fit::LetterboxTopLeft => {
            // Integer comparison of the two aspect ratios decides which side fills (u128:
            // no overflow whatever the sizes).
            let (w, h) = (spec.width as u128, spec.height as u128);
            let (fw, fh) = (frame_w as u128, frame_h as u128);
            let (cw, ch) = if w * fh <= h * fw {
                let ch = ((w * fh + fw / 2) / fw) as usize;
                (spec.width, ch.clamp(1, spec.height))
            } else {
                let cw = ((h * fw + fh / 2) / fh) as usize;
                (cw.clamp(1, spec.width), spec.height)
            };
            if spec.fit == Fit::LetterboxCenter {
                (cw, ch, (spec.width - cw) / 2, (spec.height - ch) / 2)
            } else {
                (cw, ch, 0, 0)
            }
        }
    }
}

/// Resizes `frame` into the int8 NHWC tensor `out` (`width * height * 3` values) as `spec`
/// says, and returns the mapping back to frame coordinates.
pub fn preprocess(
    frame: &Frame<'_>,
    spec: &InputSpec,
    enc: &PixelEncoder,
    out: &mut [i8],
) -> Result<Letterbox, Error> {
    let mut canvas = Canvas::new(out, spec.width, spec.height)?;
    let (cw, ch, ox, oy) = placement(frame.width(), frame.height(), spec);
    let lb = Letterbox {
        scale_x: cw as f32 / frame.width() as f32,
        scale_y: ch as f32 / frame.height() as f32,
        offset_x: ox as f32,
        offset_y: oy as f32,
    };
    // Pixel-centre mapping: model index i sits at continuous i + 0.5.
    let map = Affine {
        a: 1.0 / lb.scale_x,
        b: 0.0,
        tx: (0.5 - lb.offset_x) / lb.scale_x - 0.5,
        c: 0.0,
        d: 1.0 / lb.scale_y,
        ty: (0.5 - lb.offset_y) / lb.scale_y - 0.5,
    };
    let pad = enc.encode(spec.pad);
    let (w, h) = (spec.width, spec.height);
    canvas.fill(0, 0, w, oy, pad);
    canvas.fill(0, oy + ch, w, h, pad);
    canvas.fill(0, oy, ox, oy + ch, pad);
    canvas.fill(ox + cw, oy, w, oy + ch, pad);
    let region = Region {
        x0: ox,
        y0: oy,
        x1: ox + cw,
        y1: oy + ch,
    };
    warp(
        frame,
        &map,
        spec.interp,
        Border::Replicate,
        enc,
        &mut canvas,
        Some(region),
    )?;
    Ok(lb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::PixelFormat;

    #[test]
    fn lut_folds_mean_std_and_quantisation() {
        // MobileFaceNet-style: (v - 127.5) / 128, input scale 1/128, zp 0 -> q = v - 127.5.
        let q = Quant::new(1.0 / 128.0, 0).unwrap();
        let enc = PixelEncoder::new(ChannelOrder::Rgb, [127.5; 3], [128.0; 3], q).unwrap();
        assert_eq!(enc.encode([0, 128, 255]), [-128, 1, 127]);
        // RetinaFace-style BGR minus per-channel mean with scale 1: saturates.
        let q1 = Quant::new(1.0, 0).unwrap();
        let enc =
            PixelEncoder::new(ChannelOrder::Bgr, [104.0, 117.0, 123.0], [1.0; 3], q1).unwrap();
        assert_eq!(enc.encode([123, 117, 104]), [0, 0, 0]);
        assert_eq!(enc.encode([255, 0, 0]), [-104, -117, 127]);
        assert!(PixelEncoder::new(ChannelOrder::Rgb, [0.0; 3], [0.0; 3], q1).is_err());
        // The shipped models' convention equals the general form at their input scales.
        let fixed = PixelEncoder::pixel_minus_128(ChannelOrder::Rgb);
        let det = PixelEncoder::new(ChannelOrder::Rgb, [128.0; 3], [1.0; 3], q1).unwrap();
        let rec = PixelEncoder::new(ChannelOrder::Rgb, [128.0; 3], [128.0; 3], q).unwrap();
        for v in 0..=255u8 {
            let px = [v, 255 - v, v / 2];
            assert_eq!(fixed.encode(px), det.encode(px));
            assert_eq!(fixed.encode(px), rec.encode(px));
        }
        assert_eq!(fixed.encode([0, 128, 255]), [-128, 0, 127]);
    }

    #[test]
    fn letterbox_pads_and_maps_back() {
        // 8x4 frame, R encodes the column (x*30), G the row (y*60) -> 8x8 input.
        let mut buf = [0u8; 8 * 4 * 3];
        for y in 0..4 {
            for x in 0..8 {
                buf[3 * (y * 8 + x)] = (x * 30) as u8;
                buf[3 * (y * 8 + x) + 1] = (y * 60) as u8;
            }
        }
        let frame = Frame::packed(&buf, 8, 4, PixelFormat::Rgb888).unwrap();
        let q = Quant::new(1.0, -128).unwrap();
        let enc = PixelEncoder::new(ChannelOrder::Rgb, [0.0; 3], [1.0; 3], q).unwrap();
        let spec = InputSpec {
            width: 8,
            height: 8,
            fit: Fit::LetterboxCenter,
            interp: Interp::Nearest,
            pad: [50, 50, 50],
        };
        let mut out = [0i8; 8 * 8 * 3];
        let lb = preprocess(&frame, &spec, &enc, &mut out).unwrap();
        assert_eq!(
            (lb.scale_x, lb.scale_y, lb.offset_x, lb.offset_y),
            (1.0, 1.0, 0.0, 2.0)
        );
        // Rows 0-1 and 6-7 are padding; row 2 is frame row 0.
        assert_eq!(&out[0..3], &[-78; 3]);
        assert_eq!(&out[(7 * 8) * 3..(7 * 8) * 3 + 3], &[-78; 3]);
        let px = |x: usize, y: usize| &out[3 * (y * 8 + x)..3 * (y * 8 + x) + 2];
        assert_eq!(px(5, 3), &[22, -68]);
        let p = lb.to_frame(Point::new(5.5, 3.5));
        assert_eq!((p.x, p.y), (5.5, 1.5));
        let back = lb.to_model(p);
        assert_eq!((back.x, back.y), (5.5, 3.5));
    }

    #[test]
    fn downscale_stretch_and_bilinear_average() {
        // 4x2 frame of alternating columns 0 / 200 -> 2x1 bilinear: each output averages a pair.
        let mut buf = [0u8; 4 * 2 * 3];
        for y in 0..2 {
            for x in 0..4 {
                buf[3 * (y * 4 + x)] = if x % 2 == 0 { 0 } else { 200 };
            }
        }
        let frame = Frame::packed(&buf, 4, 2, PixelFormat::Rgb888).unwrap();
        let q = Quant::new(1.0, -128).unwrap();
        let enc = PixelEncoder::new(ChannelOrder::Rgb, [0.0; 3], [1.0; 3], q).unwrap();
        let spec = InputSpec {
            width: 2,
            height: 1,
            fit: Fit::Stretch,
            interp: Interp::Bilinear,
            pad: [0; 3],
        };
        let mut out = [0i8; 6];
        let lb = preprocess(&frame, &spec, &enc, &mut out).unwrap();
        assert_eq!((lb.scale_x, lb.scale_y), (0.5, 0.5));
        assert_eq!(out[0], -28);
        assert_eq!(out[3], -28);
        let mut wrong = [0i8; 5];
        assert!(preprocess(&frame, &spec, &enc, &mut wrong).is_err());
    }
}
