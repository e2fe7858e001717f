//! No YAML can be injected through an image spec: 20,000 pseudo-random specs over an
//! alphabet of YAML-significant characters either fail to parse (`image-spec`) or, applied
//! to a kustomization, give exactly the requested entry as data, every value a string, and
//! every other byte of the file unchanged.

use gitops_bump::{parse_image_spec, set_image, ErrorKind, ImageTarget, SetImageOptions};
use serde::Deserialize;
use serde_yaml::Value;

const INPUT: &str = "# overlay\nresources:\n  - ../base\nimages:\n  - name: api\n    newName: reg/api # mirror\n    newTag: \"1.0\"\n";
const ALPHABET: &[&str] = &[
    "api", "=", ":", "@", "/", "*", ".", "-", "_", "1", "0", "e", "x", "sha256:", "ab", " ", "\n",
    "#", "\"", "'", "{", "}", "[", "]", ",", "&", "!", "|", ">", "%", "`", "\t", "~", "true",
    "null", "5000", "\u{e9}",
];

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_specs_cannot_inject_yaml() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut refused) = (0, 0);
    let opts = SetImageOptions {
        target: ImageTarget::Kustomization,
        file: Some("kustomization.yaml".into()),
    };
    for _ in 0..20_000 {
        let len = 1 + rng.next() % 8;
        // Half the specs draw only from the first 15 (safe) tokens, so many parse.
        let pool = if rng.next() % 2 == 0 {
            15
        } else {
            ALPHABET.len() as u64
        };
        let mut spec: String = (0..len)
            .map(|_| ALPHABET[(rng.next() % pool) as usize])
            .collect();
        if rng.next() % 3 == 0 {
            spec = format!("api:{spec}");
        }
        let parsed = match parse_image_spec(&spec) {
            Ok(p) => p,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::ImageSpec, "{spec:?}");
                refused += 1;
                continue;
            }
        };
        let safe = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "=:@/*._-".contains(c))
        };
        assert!(safe(&spec), "accepted an unsafe spec {spec:?}");
        let out = match set_image(INPUT, &spec, &opts) {
            Ok(o) => o,
            // `new=*`: nothing to keep in an entry that does not exist.
            Err(e)
                if e.kind() == ErrorKind::ImageSpec
                    && parsed.apply_to(None)
                        == gitops_bump::ImageEntry {
                            name: parsed.name.clone(),
                            ..Default::default()
                        } =>
            {
                refused += 1;
                continue;
            }
            Err(e) => panic!("{spec:?}: {e}"),
        };
        accepted += 1;
        let data = Value::deserialize(serde_yaml::Deserializer::from_str(&out.text)).unwrap();
        let images = data["images"].as_sequence().unwrap();
        let entry = images
            .iter()
            .find(|i| i["name"].as_str() == Some(parsed.name.as_str()))
            .unwrap();
        for key in ["newName", "newTag", "digest"] {
            if let Some(v) = entry.get(key) {
                assert!(v.is_string(), "{spec:?}: {key} is {v:?}");
            }
        }
        let expected = parsed.apply_to(None);
        if parsed.name != "api" {
            assert_eq!(
                entry.get("newTag").and_then(Value::as_str),
                expected.new_tag.as_deref(),
                "{spec:?}"
            );
            assert_eq!(
                entry.get("digest").and_then(Value::as_str),
                expected.digest.as_deref(),
                "{spec:?}"
            );
        }
        assert!(
            out.text
                .starts_with("# overlay\nresources:\n  - ../base\nimages:\n  - name: api\n"),
            "{spec:?}:\n{}",
            out.text
        );
    }
    println!("injection: {accepted} specs accepted, {refused} refused");
    assert!(
        accepted > 1_000 && refused > 10_000,
        "{accepted} accepted, {refused} refused"
    );
}
