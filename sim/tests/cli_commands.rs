// SPDX-License-Identifier: Apache-2.0
//! The CLI's commands end to end on the bundled models and photos.

use std::path::Path;

use facegate_face::embedding::Embedding;
use facegate_face::gallery::{make_name, Identity};
mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn enroll_identify_rename_delete_round_trip() {
    let dir = temp_dir("roundtrip");
    let g = dir.join("people.gallery");
    let gs = g.to_str().unwrap();

    facegate()
        .args([
            "enroll",
            "Obama",
            &img("obama.jpg"),
            "--gallery",
            gs,
            "--no-antispoof",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("enrolled \"Obama\""));

    let out = facegate()
        .args(["identify", "--json", "--no-antispoof", "--gallery", gs])
        .args([img("obama2.jpg"), img("astronaut.png"), img("t1.jpg")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let frames = json_lines(&out);
    assert_eq!(frames.len(), 3);
    let faces = |i: usize| frames[i]["faces"].as_array().unwrap().clone();
    assert_eq!(faces(0).len(), 1);
    assert_eq!(faces(0)[0]["identity"], "Obama");
    assert!(faces(0)[0]["similarity"].as_f64().unwrap() > 0.7);
    assert_eq!(faces(1).len(), 1);
    assert_eq!(faces(1)[0]["identity"], Value::Null);
    assert_eq!(faces(1)[0]["state"], "unknown");
    assert_eq!(faces(2).len(), 6);
    for f in faces(2) {
        assert_eq!(f["state"], "unknown");
        let b: Vec<f64> = f["box"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for lm in f["landmarks"].as_array().unwrap() {
            let (x, y) = (lm[0].as_f64().unwrap(), lm[1].as_f64().unwrap());
            assert!(
                x > b[0] && x < b[2] && y > b[1] && y < b[3],
                "{lm} outside {b:?}"
            );
        }
    }

    facegate()
        .args(["rename", "Obama", "Barack", "--gallery", gs])
        .assert()
        .success();
    let out = facegate()
        .args(["list", "--json", "--gallery", gs])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list = &json_lines(&out)[0];
    assert_eq!(list["identities"][0]["name"], "Barack");

    // The same name twice, an overlong name, a photo with several faces: refused, nothing lost.
    facegate()
        .args([
            "enroll",
            "Barack",
            &img("obama3.jpg"),
            "--gallery",
            gs,
            "--no-antispoof",
        ])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("name")));
    facegate()
        .args([
            "enroll",
            &"x".repeat(40),
            &img("biden.jpg"),
            "--gallery",
            gs,
            "--no-antispoof",
        ])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("long")));
    facegate()
        .args([
            "enroll",
            "Group",
            &img("t1.jpg"),
            "--gallery",
            gs,
            "--no-antispoof",
        ])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("more than one face")));
    facegate()
        .args(["list", "--gallery", gs])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 identities").and(predicate::str::contains("Barack")));

    facegate()
        .args(["delete", "Barack", "--gallery", gs])
        .assert()
        .success();
    facegate()
        .args(["delete", "Barack", "--gallery", gs])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("no identity named")));
    facegate()
        .args(["list", "--gallery", gs])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 identities"));
}

/// Writes a gallery file holding `n` identities in the board's record format.
fn write_full_gallery(path: &Path, n: u16) {
    let mut body = Vec::new();
    body.extend_from_slice(b"FGGS");
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&u32::from(n).to_le_bytes());
    for i in 0..n {
        let mut v = [0f32; 192];
        v[usize::from(i) % 192] = 1.0;
        v[(usize::from(i) + 7) % 192] = 0.5;
        let identity = Identity::<192> {
            id: u32::from(i) + 1,
            name: make_name(&format!("person{i}")).unwrap(),
            embedding: Embedding::from_f32(&v).unwrap(),
        };
        let mut rec = [0u8; 2048];
        let len = facegate_face::record::encode(u32::from(i) + 1, &identity, &mut rec).unwrap();
        body.extend_from_slice(&i.to_le_bytes());
        body.extend_from_slice(&(len as u32).to_le_bytes());
        body.extend_from_slice(&rec[..len]);
    }
    let crc = facegate_face::crc32::crc32(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    std::fs::write(path, body).unwrap();
}

#[test]
fn a_full_gallery_refuses_enrolment_and_keeps_everyone() {
    let dir = temp_dir("full");
    let g = dir.join("full.gallery");
    write_full_gallery(&g, 64);
    let gs = g.to_str().unwrap();
    facegate()
        .args(["list", "--gallery", gs])
        .assert()
        .success()
        .stdout(predicate::str::contains("64 identities"));
    facegate()
        .args([
            "enroll",
            "Obama",
            &img("obama.jpg"),
            "--gallery",
            gs,
            "--no-antispoof",
        ])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("full")));
    facegate()
        .args(["list", "--gallery", gs])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("64 identities").and(predicate::str::contains("person63")),
        );
}

#[test]
fn demo_writes_annotated_screens_and_a_table() {
    let dir = temp_dir("demo");
    let out = facegate()
        .args(["demo", "--no-antispoof", "--out", dir.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name} in:\n{text}"))
            .to_string()
    };
    assert!(row("obama2.jpg").contains("Obama"), "{text}");
    assert!(row("obama3.jpg").contains("Obama"), "{text}");
    assert!(row("astronaut.png").contains("unknown"), "{text}");
    assert!(
        row("t1.jpg").split_whitespace().nth(1) == Some("6"),
        "{text}"
    );
    for stem in ["obama2", "obama3", "astronaut", "t1"] {
        let png = dir.join(format!("{stem}.png"));
        let img = image::open(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert_eq!((img.width(), img.height()), (800, 480));
    }
}

#[test]
fn demo_on_the_st7789_screen_is_240_square() {
    let dir = temp_dir("demo240");
    facegate()
        .args([
            "demo",
            "--no-antispoof",
            "--display",
            "st7789",
            "--out",
            dir.to_str().unwrap(),
        ])
        .assert()
        .success();
    let img = image::open(dir.join("obama2.png")).unwrap();
    assert_eq!((img.width(), img.height()), (240, 240));
}

#[test]
fn run_reports_events_as_json_lines() {
    let dir = temp_dir("run");
    for (i, f) in ["obama.jpg", "obama.jpg", "astronaut.png"]
        .iter()
        .enumerate()
    {
        std::fs::copy(
            repo().join("tests/data/images").join(f),
            dir.join(format!("f{i}.jpg")),
        )
        .unwrap();
    }
    let out = facegate()
        .args([
            "run",
            "--json",
            "--no-antispoof",
            "--input",
            dir.to_str().unwrap(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    let kinds: Vec<(u64, &str)> = events
        .iter()
        .map(|e| {
            (
                e["frame"].as_u64().unwrap(),
                e["event"]["event"].as_str().unwrap(),
            )
        })
        .collect();
    // Frame 2 repeats frame 1: the same track, nothing new to report. Frame 3 is another
    // person in another place: a new track, judged unknown (the gallery is empty).
    assert_eq!(
        kinds,
        [
            (1, "face_appeared"),
            (1, "unknown"),
            (3, "face_appeared"),
            (3, "unknown")
        ]
    );
}

#[test]
fn check_lists_ops_and_backend_compatibility() {
    let model = repo().join("models/detector_retinaface_mnet025.tflite");
    facegate()
        .args(["check", model.to_str().unwrap()])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("CONV_2D")
                .and(predicate::str::contains("arena"))
                .and(predicate::str::contains("backend cpu: can run this model")),
        );
    facegate()
        .args(["check", "--backend", "neural-art", model.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn the_blazeface_detector_is_selectable() {
    let out = facegate()
        .args([
            "--detector",
            "blazeface",
            "identify",
            "--json",
            "--no-antispoof",
        ])
        .arg(img("obama2.jpg"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let frames = json_lines(&out);
    assert_eq!(frames[0]["faces"].as_array().unwrap().len(), 1);
}
