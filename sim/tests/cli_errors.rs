// SPDX-License-Identifier: Apache-2.0
//! The CLI's answers to bad input: one line saying what and where, non-zero exit, no panic.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn check_reports_a_missing_model_file() {
    facegate()
        .args(["check", "/nonexistent/model.tflite"])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("/nonexistent/model.tflite")));
}

#[test]
fn check_refuses_a_corrupt_model() {
    let dir = temp_dir("corrupt");
    let path = dir.join("bad.tflite");
    std::fs::write(&path, b"TFL3 this is not a flatbuffer at all").unwrap();
    facegate()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("not a valid TFLite file")));
}

#[test]
fn gallery_commands_report_a_missing_gallery() {
    let dir = temp_dir("missing");
    let g = dir.join("none.gallery");
    facegate()
        .args(["list", "--gallery", g.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("does not exist")));
}

#[test]
fn gallery_commands_refuse_a_corrupt_gallery_file() {
    let dir = temp_dir("badgallery");
    let g = dir.join("bad.gallery");
    std::fs::write(&g, b"FGGS\x01\0\0\0\x05\0\0\0garbage-garbage").unwrap();
    facegate()
        .args(["list", "--gallery", g.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("corrupt")));
    facegate()
        .args(["delete", "Nobody", "--gallery", g.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(one_error_line());
}

#[test]
fn identify_reports_an_image_it_cannot_decode() {
    let dir = temp_dir("badimage");
    let img = dir.join("photo.jpg");
    std::fs::write(&img, b"\xff\xd8\xff garbage, not a jpeg").unwrap();
    facegate()
        .args(["identify", img.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("photo.jpg")));
}

#[test]
fn run_names_a_frame_it_cannot_decode() {
    let dir = temp_dir("badframe");
    std::fs::copy(img("astronaut.png"), dir.join("f0.png")).unwrap();
    std::fs::write(dir.join("f1.png"), b"\x89PNG truncated").unwrap();
    facegate()
        .args([
            "run",
            "--json",
            "--no-antispoof",
            "--input",
            dir.to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(one_error_line().and(predicate::str::contains("f1.png")));
}

#[test]
fn missing_models_folder_is_named() {
    let dir = temp_dir("nomodels");
    facegate()
        .args(["--models", dir.to_str().unwrap(), "identify", "x.jpg"])
        .assert()
        .failure()
        .stderr(one_error_line());
}

#[test]
fn selfcheck_prints_the_digest_and_the_pipeline_report() {
    facegate().arg("selfcheck").assert().success().stdout(
        predicate::str::is_match(r"^selfcheck requantize n=32768 digest=[0-9a-f]{8}\n")
            .unwrap()
            .and(predicate::str::contains(
                "pipeline enrol Obama from obama.jpg: id 1",
            ))
            .and(predicate::str::contains("pipeline t1.jpg faces 6")),
    );
}
