//! Model files: round trip, version and feature checks, corrupt files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{quick_config, synthetic};
use smc_ml::{ArtifactError, Ensemble, FORMAT_VERSION, ModelFile};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-ml-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn model() -> (smc_ml::Dataset, ModelFile) {
    let ds = synthetic(1200, 9, true);
    let config = quick_config(3);
    let (e, r) = Ensemble::fit(&ds, &config).unwrap();
    let file = ModelFile::new(e, r, config, ds.window().unwrap(), 1_750_000_000_000);
    (ds, file)
}

#[test]
fn save_then_load_predicts_identically() {
    let (ds, file) = model();
    let dir = temp_dir("roundtrip");
    let path = file.save(&dir).unwrap();
    assert!(path.ends_with("model.json"));
    let loaded = ModelFile::load(&dir).unwrap();
    assert_eq!(loaded, file);
    for i in 0..ds.len() {
        let a = file.ensemble.predict_proba(ds.row(i));
        let b = loaded.ensemble.predict_proba(ds.row(i));
        assert_eq!(a.to_bits(), b.to_bits(), "row {i}");
    }
    assert_eq!(loaded.format_version, FORMAT_VERSION);
    assert_eq!(loaded.created_ms, 1_750_000_000_000);
    assert_eq!(
        (loaded.train_from_ms, loaded.train_to_ms),
        ds.window().unwrap()
    );
    assert_eq!(loaded.report.folds.len(), 4);
    assert!(!dir.join("model.json.tmp").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn newer_missing_or_odd_format_versions_are_refused() {
    let (_, file) = model();
    let mut value: serde_json::Value = serde_json::from_str(&file.to_json().unwrap()).unwrap();
    let path = PathBuf::from("somewhere/model.json");
    value["format_version"] = serde_json::json!(FORMAT_VERSION + 1);
    let err = ModelFile::from_json(&value.to_string(), &path).unwrap_err();
    assert!(
        matches!(err, ArtifactError::NewerFormat { found, .. } if found == u64::from(FORMAT_VERSION) + 1)
    );
    assert!(err.to_string().contains("somewhere/model.json"));
    value["format_version"] = serde_json::json!("one");
    assert!(matches!(
        ModelFile::from_json(&value.to_string(), &path),
        Err(ArtifactError::UnknownFormat { .. })
    ));
    value.as_object_mut().unwrap().remove("format_version");
    assert!(matches!(
        ModelFile::from_json(&value.to_string(), &path),
        Err(ArtifactError::UnknownFormat { ref found, .. }) if found == "(missing)"
    ));
}

#[test]
fn feature_list_must_match_by_name_and_position() {
    let (ds, file) = model();
    let names = ds.feature_names().to_vec();
    file.check_features(&names).unwrap();
    let mut swapped = names.clone();
    swapped.swap(2, 3);
    match file.check_features(&swapped).unwrap_err() {
        ArtifactError::FeatureMismatch {
            position,
            expected,
            found,
        } => {
            assert_eq!(position, 2);
            assert_eq!(expected.as_deref(), Some("feature_2"));
            assert_eq!(found.as_deref(), Some("feature_3"));
        }
        other => panic!("{other}"),
    }
    let shorter = &names[..names.len() - 1];
    assert!(matches!(
        file.check_features(shorter),
        Err(ArtifactError::FeatureMismatch { found: None, .. })
    ));
}

#[test]
fn corrupt_files_are_errors_that_name_the_file() {
    let (_, file) = model();
    let path = PathBuf::from("m/model.json");
    let err = ModelFile::from_json("{ not json", &path).unwrap_err();
    assert!(matches!(err, ArtifactError::Parse { .. }));
    assert!(err.to_string().contains("m/model.json"));
    // A tree whose child points back at its parent would loop forever.
    let mut value: serde_json::Value = serde_json::from_str(&file.to_json().unwrap()).unwrap();
    let nodes = &mut value["ensemble"]["forest"]["trees"][0]["nodes"];
    let root = nodes[0].clone();
    assert!(
        root.get("split").is_some(),
        "root of a fitted tree splits: {root}"
    );
    nodes[0]["split"]["left"] = serde_json::json!(0);
    assert!(matches!(
        ModelFile::from_json(&value.to_string(), &path),
        Err(ArtifactError::Invalid { .. })
    ));
    // Feature names that differ from the ensemble's.
    let mut value: serde_json::Value = serde_json::from_str(&file.to_json().unwrap()).unwrap();
    value["feature_names"][0] = serde_json::json!("other");
    assert!(matches!(
        ModelFile::from_json(&value.to_string(), &path),
        Err(ArtifactError::Invalid { .. })
    ));
    let missing = temp_dir("missing");
    assert!(matches!(
        ModelFile::load(&missing),
        Err(ArtifactError::Io { .. })
    ));
}
