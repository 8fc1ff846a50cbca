// SPDX-License-Identifier: Apache-2.0
//! Enrolment guidance: what the person in front of the camera should do next.

/// One instruction for the person being enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Guidance {
    /// Nothing to correct.
    #[default]
    None,
    /// The face is too small.
    ComeCloser,
    /// The face is too large or cut off.
    MoveBack,
    /// The face is off-centre.
    CentreFace,
    /// The head is turned or tilted too far.
    FaceTheCamera,
    /// The face moved or is blurred.
    HoldStill,
    /// The image is too dark.
    MoreLight,
    /// More than one face is in view.
    OneFaceOnly,
    /// No face is in view.
    LookAtCamera,
    /// The anti-spoof stage does not see a live face.
    ShowRealFace,
    /// All captures are done.
    Done,
}

impl Guidance {
    /// The message shown on screen ("" for [`Guidance::None`]).
    pub fn message(self) -> &'static str {
        match self {
            Guidance::None => "",
            Guidance::ComeCloser => "Come closer",
            Guidance::MoveBack => "Move back",
            Guidance::CentreFace => "Centre your face",
            Guidance::FaceTheCamera => "Face the camera",
            Guidance::HoldStill => "Hold still",
            Guidance::MoreLight => "More light",
            Guidance::OneFaceOnly => "One face only",
            Guidance::LookAtCamera => "Look at the camera",
            Guidance::ShowRealFace => "Show your real face",
            Guidance::Done => "Done",
        }
    }

    /// True when the message asks the person to change something.
    pub fn is_correction(self) -> bool {
        !matches!(self, Guidance::None | Guidance::Done)
    }
}
